import { randomUUID } from 'node:crypto';
import { Api } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMessage } from '../../../bots/telegram/render.ts';
import { bindChat } from '../../../src/app/bind-chat.ts';
import { cosign } from '../../../src/app/cosign.ts';
import { propose } from '../../../src/app/propose.ts';
import { renderCardPush } from '../../../src/app/render-push.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { communityStore } from '../../../src/store/roster-store.ts';
import { statusReader } from '../../../src/store/status-store.ts';
import type { CardPush } from '../../../workers/push/push-request.ts';
import { createPushQueue, type PushQueue } from '../../../workers/push/queue.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import {
  type FakeTelegram,
  parseTelegramHtml,
  startFakeTelegram,
} from '../../support/fake-telegram.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import {
  drained,
  type HarnessWorker,
  keyNoticeText,
  notice,
  redisConnection,
  startHarnessWorker,
  TEST_BOT_TOKEN,
} from '../../support/push-harness.ts';

/** Shorter than the default 3 s so the file runs fast; the mechanism is the same. */
const COALESCE_MS = 1000;

describe('push queue (one worker, fake Telegram with its default limits)', () => {
  let db: TestDatabase;
  let community: TestCommunity;
  let fake: FakeTelegram;
  let queue: PushQueue;
  let worker: HarnessWorker;
  const prefix = `t-${randomUUID()}`;
  const clock = { now: () => new Date() };

  const bind = async (chatId: string) => {
    const bound = await bindChat(rosterDeps(db), {
      communityId: community.id,
      platform: 'telegram',
      chatId,
    });
    expect(bound.kind).toBe('bound');
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    // A high co-sign ratio keeps the proposal collecting through 100 co-signs.
    community = await seedCommunity(db, {
      households: 120,
      policy: { cosignRatio: 0.95, quietHours: null },
      realClock: true,
    });
    fake = await startFakeTelegram({ token: TEST_BOT_TOKEN });
    queue = createPushQueue({
      connection: redisConnection(),
      prefix,
      clock,
      communities: communityStore(db),
      coalesceMs: COALESCE_MS,
    });
    worker = startHarnessWorker({ db, apiRoot: fake.apiRoot, prefix });
  });

  afterAll(async () => {
    await worker?.close();
    await queue?.queue.obliterate({ force: true });
    await queue?.close();
    await fake?.close();
    await db?.drop();
  });

  it('coalesces 100 changes within about a second into a handful of edits of one card, ending exact', async () => {
    const chatId = '-1001';
    await bind(chatId);
    const proposed = await propose(community.deps, {
      actor: community.as(0),
      title: '增设电动车充电桩 <b>now</b>',
      body: '',
      category: 'public_facilities',
    });
    expect(proposed.kind).toBe('proposed');
    const push: CardPush = {
      kind: 'card',
      communityId: community.id,
      number: 1,
      card: 'proposal_card',
      platform: 'telegram',
      chatId,
    };
    await queue.enqueue([push], { urgent: true });
    await fake.until((f) => f.messagesIn(chatId).length === 1);

    // The co-sign use case takes tens of ms each under 100-way contention on the proposal row,
    // so the card's state changes here by row updates, to fit 100 changes into about a second.
    const proposal = await db.prisma.proposal.findFirstOrThrow({
      where: { communityId: community.id, number: 1 },
    });
    const started = Date.now();
    for (let i = 0; i < 100; i++) {
      await db.prisma.proposal.update({
        where: { id: proposal.id },
        data: { cosignCount: { increment: 1 } },
      });
      await queue.enqueue([push], { urgent: true });
    }
    const burstMs = Date.now() - started;
    await drained(queue.queue);

    const expected = await renderCardPush(statusReader(db), push, new Date());
    if (!expected) throw new Error('card did not render');
    const expectedText = parseTelegramHtml(renderMessage(expected).html).text;
    expect(expectedText).toContain('101');
    const messages = fake.messagesIn(chatId);
    expect(messages).toHaveLength(1);
    expect(messages[0]?.text).toBe(expectedText);
    expect(messages[0]?.links).toEqual([]);
    const edits = fake.calls('editMessageText').filter((c) => String(c.params.chat_id) === chatId);
    console.info(
      `[push] 100 changes in ${burstMs} ms -> 1 sendMessage + ${edits.length} editMessageText`,
    );
    expect(edits.length).toBeGreaterThanOrEqual(1);
    expect(edits.length).toBeLessThanOrEqual(Math.ceil(burstMs / COALESCE_MS) + 1);
    const row = await db.prisma.cardMessage.findFirst({ where: { chatId } });
    expect(row?.messageId).toBe(String(messages[0]?.messageId));
  });

  it('sends the card anew when its message was deleted in the chat', async () => {
    const chatId = '-1004';
    await bind(chatId);
    const push: CardPush = {
      kind: 'card',
      communityId: community.id,
      number: 1,
      card: 'proposal_card',
      platform: 'telegram',
      chatId,
    };
    await queue.enqueue([push], { urgent: true });
    await fake.until((f) => f.messagesIn(chatId).length === 1);
    await drained(queue.queue);
    await new Api(TEST_BOT_TOKEN, { apiRoot: fake.apiRoot }).deleteMessage(Number(chatId), 1);
    await cosign(community.deps, { actor: community.as(110), number: 1 });
    await queue.enqueue([push], { urgent: true });
    await drained(queue.queue);
    const messages = fake.messagesIn(chatId);
    expect(messages.map((m) => m.messageId)).toEqual([2]);
    expect(messages[0]?.text).toContain('102');
    const row = await db.prisma.cardMessage.findFirst({ where: { chatId } });
    expect(row?.messageId).toBe('2');
  });

  it('records a kicked group in DeliveryProblem, does not retry, and drops later pushes to it', async () => {
    const chatId = '-1002';
    fake.kick(chatId);
    const before = worker.events.length;
    await queue.enqueue([notice(community.id, chatId, `gone-1-${randomUUID()}`)], {
      urgent: true,
    });
    await drained(queue.queue);
    const problem = await db.prisma.deliveryProblem.findUnique({
      where: { platform_chatId: { platform: 'telegram', chatId } },
    });
    expect(problem?.reason).toBe('Forbidden: bot was kicked from the group chat');
    const failed = await queue.queue.getFailed();
    const job = failed.find((j) => j.data.chatId === chatId);
    expect(job?.attemptsMade).toBe(1);

    await queue.enqueue([notice(community.id, chatId, `gone-2-${randomUUID()}`)], {
      urgent: true,
    });
    await drained(queue.queue);
    expect(
      fake.calls('sendMessage').filter((c) => String(c.params.chat_id) === chatId),
    ).toHaveLength(1);
    const outcomes = worker.events.slice(before).filter((e) => e.push.chatId === chatId);
    expect(outcomes.map((e) => e.outcome)).toEqual(['gone', 'dropped']);
  });

  it('honours a 429 retry_after: nothing reaches the chat inside the window, each message once after', async () => {
    const chatId = '-1003';
    fake.forceRetryAfter(chatId, 1);
    const keys = [`ra-1-${randomUUID()}`, `ra-2-${randomUUID()}`];
    const statsBefore = fake.stats();
    await queue.enqueue([notice(community.id, chatId, keys[0] ?? '')], { urgent: true });
    await fake.until((f) => f.calls('sendMessage').some((c) => c.status === 429));
    // Queued while the chat is paused: it must wait too.
    await queue.enqueue([notice(community.id, chatId, keys[1] ?? '')], { urgent: true });
    await drained(queue.queue);

    const calls = fake.calls('sendMessage').filter((c) => String(c.params.chat_id) === chatId);
    const refused = calls.filter((c) => c.status === 429);
    const delivered = calls.filter((c) => c.status === 200);
    expect(refused).toHaveLength(1);
    expect(delivered).toHaveLength(2);
    const windowEnd = (refused[0]?.at ?? 0) + 1000;
    for (const c of delivered) expect(c.at).toBeGreaterThanOrEqual(windowEnd);
    const stats = fake.stats();
    expect(stats.insideRetryAfter - statsBefore.insideRetryAfter).toBe(0);
    expect(stats.limited - statsBefore.limited).toBe(0);
    expect(
      fake
        .messagesIn(chatId)
        .map((m) => m.text)
        .sort(),
    ).toEqual(keys.map(keyNoticeText).sort());
    const sent = await db.prisma.noticeSent.count({ where: { key: { in: keys } } });
    expect(sent).toBe(2);
    console.info(
      `[push] retry_after 1 s: first delivery ${(delivered[0]?.at ?? 0) - (refused[0]?.at ?? 0)} ms after the 429`,
    );
  });

  it('retries a push the platform failed (HTTP 500) with backoff, delivering it once', async () => {
    const chatId = '-1006';
    fake.forceError(chatId, 500, 'Internal Server Error');
    const key = `retry-${randomUUID()}`;
    await queue.enqueue([notice(community.id, chatId, key)], { urgent: true });
    await drained(queue.queue);
    const calls = fake.calls('sendMessage').filter((c) => String(c.params.chat_id) === chatId);
    expect(calls.map((c) => c.status)).toEqual([500, 200]);
    // The first retry waits the configured backoff (1 s by default).
    expect((calls[1]?.at ?? 0) - (calls[0]?.at ?? 0)).toBeGreaterThanOrEqual(900);
    expect(fake.messagesIn(chatId).map((m) => m.text)).toEqual([keyNoticeText(key)]);
  });

  it('delivers a notice once however often it is queued', async () => {
    const chatId = '-1005';
    await bind(chatId);
    const key = `once-${randomUUID()}`;
    await queue.enqueue([notice(community.id, chatId, key)], { urgent: true });
    await drained(queue.queue);
    await queue.enqueue([notice(community.id, chatId, key)], { urgent: true });
    await drained(queue.queue);
    expect(fake.messagesIn(chatId).map((m) => m.text)).toEqual([keyNoticeText(key)]);
  });
});
