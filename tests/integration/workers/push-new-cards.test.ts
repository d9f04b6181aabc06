/**
 * A card new to a chat goes out at once; the changes that follow it still
 * coalesce into bucketed edits, and the card is posted once however many
 * producers push it at the same moment (issue 11, item 3).
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { renderMessage } from '../../../bots/telegram/render.ts';
import { bindChat } from '../../../src/app/bind-chat.ts';
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
  redisConnection,
  startHarnessWorker,
  TEST_BOT_TOKEN,
} from '../../support/push-harness.ts';

const COALESCE_MS = 1000;

describe('new cards and their edits (push queue, one worker, fake Telegram)', () => {
  let db: TestDatabase;
  let community: TestCommunity;
  let fake: FakeTelegram;
  let queues: PushQueue[];
  let worker: HarnessWorker;
  const prefix = `t-${randomUUID()}`;
  const clock = { now: () => new Date() };

  const newQueue = () =>
    createPushQueue({
      connection: redisConnection(),
      prefix,
      clock,
      communities: communityStore(db),
      coalesceMs: COALESCE_MS,
    });

  const cardIn = async (chatId: string, number: number): Promise<CardPush> => {
    const bound = await bindChat(rosterDeps(db), {
      communityId: community.id,
      platform: 'telegram',
      chatId,
    });
    expect(bound.kind).toBe('bound');
    const proposed = await propose(community.deps, {
      actor: community.as(0),
      title: `议题 ${number}`,
    });
    expect(proposed).toMatchObject({ kind: 'proposed', number });
    return {
      kind: 'card',
      communityId: community.id,
      number,
      card: 'proposal_card',
      platform: 'telegram',
      chatId,
    };
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    community = await seedCommunity(db, {
      households: 50,
      policy: { cosignRatio: 0.95, quietHours: null },
      realClock: true,
    });
    fake = await startFakeTelegram({ token: TEST_BOT_TOKEN });
    queues = [newQueue(), newQueue()];
    worker = startHarnessWorker({ db, apiRoot: fake.apiRoot, prefix });
    await worker.ready();
  });

  afterAll(async () => {
    await worker?.close();
    await queues?.[0]?.queue.obliterate({ force: true });
    for (const queue of queues ?? []) await queue.close();
    await fake?.close();
    await db?.drop();
  });

  it('posts a new card at once, then coalesces the changes after it into one edit per bucket', async () => {
    const chatId = '-3001';
    const push = await cardIn(chatId, 1);
    const [queue] = queues;
    if (!queue) throw new Error('no queue');
    // Queued at the start of a bucket, where waiting for the bucket would cost over a second.
    await sleep(COALESCE_MS - (Date.now() % COALESCE_MS));
    const queuedAt = Date.now();
    await queue.enqueue([push], { urgent: false });
    await fake.until((f) => f.messagesIn(chatId).length === 1);
    const postedMs = (fake.calls('sendMessage')[0]?.at ?? 0) - queuedAt;

    const proposal = await db.prisma.proposal.findFirstOrThrow({
      where: { communityId: community.id, number: 1 },
    });
    for (let i = 0; i < 20; i++) {
      await db.prisma.proposal.update({
        where: { id: proposal.id },
        data: { cosignCount: { increment: 1 } },
      });
      await queue.enqueue([push], { urgent: true });
    }
    const burstMs = Date.now() - queuedAt;
    await drained(queue.queue);

    const sends = fake.calls('sendMessage').filter((c) => String(c.params.chat_id) === chatId);
    const edits = fake.calls('editMessageText').filter((c) => String(c.params.chat_id) === chatId);
    console.info(
      `[push] new card posted ${postedMs} ms after it was queued; 20 changes in ${burstMs} ms -> ${edits.length} edits`,
    );
    expect(sends).toHaveLength(1);
    // At once: the 1 s bucket would hold it up to 1.25 s.
    expect(postedMs).toBeLessThan(COALESCE_MS);
    expect(edits.length).toBeGreaterThanOrEqual(1);
    expect(edits.length).toBeLessThanOrEqual(Math.ceil(burstMs / COALESCE_MS) + 1);
    const expected = await renderCardPush(statusReader(db), push, new Date());
    if (!expected) throw new Error('card did not render');
    expect(fake.messagesIn(chatId).map((m) => m.text)).toEqual([
      parseTelegramHtml(renderMessage(expected).html).text,
    ]);
  });

  it('posts a card once when two producers push it as new at the same moment, many times over', async () => {
    const pushes: CardPush[] = [];
    for (let i = 0; i < 10; i++) pushes.push(await cardIn(`-${3100 + i}`, 2 + i));
    await Promise.all(
      queues.flatMap((queue) =>
        pushes.flatMap((push) => [
          queue.enqueue([push], { urgent: true }),
          queue.enqueue([push, push], { urgent: false }),
        ]),
      ),
    );
    for (const queue of queues) await drained(queue.queue);
    for (const push of pushes) {
      const sends = fake
        .calls('sendMessage')
        .filter((c) => String(c.params.chat_id) === push.chatId && c.status === 200);
      expect(sends, `sends to ${push.chatId}`).toHaveLength(1);
      expect(fake.messagesIn(push.chatId)).toHaveLength(1);
    }
  });
});
