/**
 * A burst on one card: 100 ballot button presses posted to the webhook
 * within a second. The push queue coalesces the card's edits (default 3 s
 * buckets), so Telegram sees a handful of edits, and the last one shows the
 * exact count.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindChat } from '../../../src/app/bind-chat.ts';
import { cosign } from '../../../src/app/cosign.ts';
import { openVote } from '../../../src/app/deadlines.ts';
import { propose } from '../../../src/app/propose.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { DEFAULT_COALESCE_MS } from '../../../workers/push/job-ids.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { type FakeTelegram, startFakeTelegram } from '../../support/fake-telegram.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import {
  callbackUpdate,
  linkTelegramAccounts,
  type Pipeline,
  startPipeline,
  startTelegramGateway,
  TEST_TOKEN,
  type TelegramGateway,
  userIdOf,
} from '../../support/telegram.ts';

const GROUP = -1001000000077;
const PRESSES = 100;

describe('a burst of button presses on one card', () => {
  let db: TestDatabase;
  let c: TestCommunity;
  let fake: FakeTelegram;
  let gw: TelegramGateway;
  let pipeline: Pipeline;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await seedCommunity(db, {
      households: 120,
      realClock: true,
      policy: { noticePeriod: '0s', quietHours: null, reminders: [] },
    });
    await bindChat(rosterDeps(db), {
      communityId: c.id,
      platform: 'telegram',
      chatId: String(GROUP),
    });
    await linkTelegramAccounts(
      db,
      c,
      Array.from({ length: PRESSES }, (_, i) => i),
    );
    // Telegram's real limits stay on: the coalesced edits must fit them without a 429.
    fake = await startFakeTelegram({ token: TEST_TOKEN });
    gw = await startTelegramGateway(db, c.deps, { fake });
    pipeline = await startPipeline(db, gw.adapter.sender, { coalesceMs: DEFAULT_COALESCE_MS });
  });
  afterAll(async () => {
    await pipeline?.close();
    await gw?.close();
    await fake?.close();
    await db?.drop();
  });

  it(`turns ${PRESSES} presses within a second into a handful of edits ending at the exact count`, async () => {
    const made = await propose(c.deps, { actor: c.as(0), title: '小区大门改造' });
    if (made.kind !== 'proposed') throw new Error(made.kind);
    for (let i = 1; i < made.threshold; i++) {
      await cosign(c.deps, { actor: c.as(i), number: made.number });
    }
    // With no notice period the vote may open now; the deadline worker may have done it already.
    await openVote(c.deps, { communityId: c.id, number: made.number });
    await fake.until(() => fake.messagesIn(GROUP).some((m) => m.text.startsWith('表决：')), 15_000);
    await pipeline.drained();
    const card = fake.messagesIn(GROUP).find((m) => m.text.startsWith('表决：'));
    if (!card) throw new Error('no vote card');
    expect(card.text).toContain('当前参与：0/120');
    const editsBefore = fake.calls('editMessageText').length;

    const choices = ['f', 'a', 'x'] as const;
    const started = Date.now();
    // Sent all at once; a press answered 5xx is redelivered, as Telegram would.
    const posting = Array.from({ length: PRESSES }, (_, i) =>
      gw.deliver(
        callbackUpdate({
          chatId: GROUP,
          userId: userIdOf(i),
          messageId: card.messageId,
          data: `v1:v:${made.number}:${choices[i % 3]}`,
        }),
      ),
    );
    const postedWithinMs = Date.now() - started;
    const statuses = await Promise.all(posting);
    const answeredMs = Date.now() - started;
    expect(postedWithinMs).toBeLessThan(1000);
    expect(statuses.filter((s) => s.status === 200)).toHaveLength(PRESSES);
    const redelivered = statuses.filter((s) => s.tries > 1).length;

    const exact = `当前参与：${PRESSES}/120`;
    await fake.until(() => (fake.lastTextOf(GROUP, card.messageId) ?? '').includes(exact), 20_000);
    await pipeline.drained();

    const edits = fake
      .calls('editMessageText')
      .slice(editsBefore)
      .filter((call) => Number(call.params.message_id) === card.messageId);
    expect(edits.length).toBeGreaterThanOrEqual(1);
    expect(edits.length).toBeLessThanOrEqual(5);
    expect(fake.lastTextOf(GROUP, card.messageId)).toContain(`${exact}（83%）`);
    expect(await db.prisma.ballot.count()).toBe(PRESSES);
    // Every press was answered in its webhook response, and Telegram took each answer.
    expect(statuses.filter((s) => s.reply?.method === 'answerCallbackQuery')).toHaveLength(PRESSES);
    const answers = fake.calls('answerCallbackQuery');
    expect(answers.filter((a) => a.via === 'webhook' && a.status === 200)).toHaveLength(PRESSES);
    expect(answers.filter((a) => a.via === 'api')).toHaveLength(0);
    expect(fake.stats().limited).toBe(0);
    console.info(
      `burst: ${PRESSES} presses sent in ${postedWithinMs} ms, all answered 200 after ${answeredMs} ms (${redelivered} redelivered after a 5xx); ${edits.length} editMessageText calls on the card`,
    );
  });
});
