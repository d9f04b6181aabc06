/**
 * The outbox relay's wake-up and its idempotency, on real PostgreSQL and
 * Redis: a row committed by another connection is relayed without waiting
 * for a poll (the trigger notifies, the feed listens), and a relay that dies
 * between queueing the pushes and marking the row relays it again without a
 * second message in any chat (real push queue and worker, fake Bot API).
 * A backlog goes in overlapping batches, each row once and oldest first.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Api } from 'grammy';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramSender } from '../../../bots/telegram/sender.ts';
import type { OutboxFeed } from '../../../src/app/ports/schedule.ts';
import { propose } from '../../../src/app/propose.ts';
import { uuidSource } from '../../../src/runtime/system.ts';
import { databasePorts } from '../../../src/runtime/worker-ports.ts';
import { startWorkers, type Workers } from '../../../workers/index.ts';
import { PUSH_QUEUE } from '../../../workers/push/index.ts';
import { seedCommunity } from '../../support/community.ts';
import { type FakeTelegram, startFakeTelegram } from '../../support/fake-telegram.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { redisConnection, TEST_BOT_TOKEN } from '../../support/push-harness.ts';
import {
  bindChats,
  REDIS_URL,
  recordingPushQueue,
  startTestWorkers,
  testPrefix,
  waitFor,
} from '../../support/workers.ts';

/** No poll within any test's time: only a wake-up can start a pass. */
const NO_POLL_MS = 600_000;

describe('outbox relay', () => {
  let db: TestDatabase;
  let fake: FakeTelegram;

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = await startFakeTelegram({ token: TEST_BOT_TOKEN });
  });
  afterAll(async () => {
    await fake?.close();
    await db?.drop();
  });

  const everyRowRelayed = (communityId: string) =>
    waitFor('every row marked', async () => {
      const left = await db.prisma.outbox.count({ where: { communityId, relayedAt: null } });
      return left === 0;
    });

  it('relays a row another connection commits without waiting for a poll', async () => {
    const c = await seedCommunity(db, { households: 3, realClock: true });
    await bindChats(db, c.id, [{ platform: 'telegram', chatId: '-1007001' }]);
    const workers = await startTestWorkers(db, { relay: { pollMs: NO_POLL_MS } });
    try {
      // Listening (its connection's last statement), so the wake-up after connecting is spent.
      await waitFor('the relay listening', async () => {
        const [row] = await db.sql.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND query = 'LISTEN yishi_outbox'`,
        );
        return (row?.n ?? 0) > 0;
      });
      await workers.relay?.relayOnce();
      const proposed = await propose(c.deps, { actor: c.as(0), title: '电梯加装' });
      if (proposed.kind !== 'proposed') throw new Error(JSON.stringify(proposed));
      const pushed = await waitFor('the proposal card pushed', () =>
        workers.push
          .cards('proposal_card')
          .find((p) => p.request.communityId === c.id && p.request.number === proposed.number),
      );
      expect(pushed.request).toMatchObject({ platform: 'telegram', chatId: '-1007001' });
      const row = await db.prisma.outbox.findFirstOrThrow({
        where: { communityId: c.id, number: proposed.number, kind: 'proposal_card' },
      });
      await waitFor('the row marked', async () =>
        (await db.prisma.outbox.findUniqueOrThrow({ where: { id: row.id } })).relayedAt
          ? true
          : undefined,
      );
    } finally {
      await workers.close();
    }
  });

  it('relays a backlog in overlapping batches, each row once and oldest first, a batch that failed to queue on the next run', async () => {
    const c = await seedCommunity(db, { households: 3, realClock: true });
    await bindChats(db, c.id, [{ platform: 'telegram', chatId: '-1007201' }]);
    // The backlog is committed before the relay starts.
    const numbers: number[] = [];
    for (let i = 0; i < 7; i++) {
      const proposed = await propose(c.deps, { actor: c.as(0), title: `议题 ${i + 1}` });
      if (proposed.kind !== 'proposed') throw new Error(JSON.stringify(proposed));
      numbers.push(proposed.number);
    }
    const recording = recordingPushQueue();
    let enqueues = 0;
    // The second batch's pushes fail to go into the queue (Redis went away for a moment),
    // while the third batch has already been read and prepared behind it.
    const push = {
      ...recording,
      async enqueue(...args: Parameters<typeof recording.enqueue>) {
        enqueues++;
        if (enqueues === 2) throw new Error('Redis went away');
        await recording.enqueue(...args);
      },
    };
    const workers = await startTestWorkers(db, { push, relay: { pollMs: 50, batchSize: 2 } });
    try {
      await everyRowRelayed(c.id);
      const pushed = recording
        .cards('proposal_card')
        .filter((p) => p.request.communityId === c.id)
        .map((p) => p.request.number);
      expect(enqueues).toBeGreaterThan(2);
      expect(pushed).toEqual(numbers);
    } finally {
      await workers.close();
    }
  });

  it("relays people's own changes and results ahead of older system edits, each oldest first", async () => {
    const c = await seedCommunity(db, { households: 3, realClock: true });
    await bindChats(db, c.id, [{ platform: 'telegram', chatId: '-1007301' }]);
    const numbers: number[] = [];
    for (let i = 0; i < 3; i++) {
      const proposed = await propose(c.deps, { actor: c.as(0), title: `议题 ${i + 1}` });
      if (proposed.kind !== 'proposed') throw new Error(JSON.stringify(proposed));
      numbers.push(proposed.number);
    }
    const [first = 0, second = 0, third = 0] = numbers;
    const row = (number: number, kind: string, announcement: boolean, at: number) =>
      db.sql.query(
        `INSERT INTO "Outbox" (id, "communityId", number, kind, announcement, "createdAt")
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [randomUUID(), c.id, number, kind, announcement, new Date(at)],
      );
    // As a storm of closes leaves them: system edits of the vote cards, then the results
    // (the later one first in the table), then a person's own change behind them all.
    const at = Date.now() + 60_000;
    await row(first, 'vote_card', true, at);
    await row(second, 'vote_card', true, at + 1_000);
    await row(third, 'result_card', true, at + 3_000);
    await row(second, 'result_card', true, at + 2_000);
    await row(first, 'proposal_card', false, at + 4_000);
    const recording = recordingPushQueue();
    const workers = await startTestWorkers(db, {
      push: recording,
      // One row a batch: within a batch, people's own changes are queued before announcements.
      relay: { pollMs: 50, batchSize: 1 },
    });
    try {
      await everyRowRelayed(c.id);
      const order = recording
        .cards()
        .map((p) => p.request)
        .filter((r) => r.kind === 'card' && r.communityId === c.id)
        .map((r) => (r.kind === 'card' ? `${r.card} ${r.number}` : r.kind));
      expect(order).toEqual([
        ...numbers.map((n) => `proposal_card ${n}`),
        `result_card ${second}`,
        `result_card ${third}`,
        `proposal_card ${first}`,
        `vote_card ${first}`,
        `vote_card ${second}`,
      ]);
    } finally {
      await workers.close();
    }
  });

  it('has no wake-up without PostgreSQL: the relay polls', () => {
    const { kind: _kind, pool: _pool, ...sqlOnly } = db;
    expect(databasePorts(sqlOnly).feed.watch).toBeUndefined();
    expect(typeof databasePorts(db).feed.watch).toBe('function');
  });

  it('relays again after dying before the mark, and no chat gets a card twice', async () => {
    const chats = ['-1007101', '-1007102', '-1007103'];
    const c = await seedCommunity(db, { households: 3, realClock: true });
    await bindChats(
      db,
      c.id,
      chats.map((chatId) => ({ platform: 'telegram' as const, chatId })),
    );
    const ports = databasePorts(db);
    let marks = 0;
    // The first mark fails as a relay killed between queueing and marking would leave it.
    const feed: OutboxFeed = {
      ...ports.feed,
      async markRelayed(ids, at) {
        marks++;
        if (marks === 1) throw new Error('relay died before the mark');
        await ports.feed.markRelayed(ids, at);
      },
    };
    const api = new Api(TEST_BOT_TOKEN, { apiRoot: fake.apiRoot });
    const prefix = testPrefix();
    const queue = new Queue(PUSH_QUEUE, { connection: redisConnection(), prefix });
    let workers: Workers | undefined;
    try {
      workers = await startWorkers(
        {
          clock: { now: () => new Date() },
          ids: uuidSource,
          ...ports,
          feed,
          senders: { telegram: createTelegramSender(api) },
        },
        { connection: REDIS_URL, prefix, relay: { pollMs: 50 } },
      );
      const proposed = await propose(c.deps, { actor: c.as(0), title: '楼顶防水' });
      if (proposed.kind !== 'proposed') throw new Error(JSON.stringify(proposed));
      const row = await db.prisma.outbox.findFirstOrThrow({
        where: { communityId: c.id, number: proposed.number, kind: 'proposal_card' },
      });
      await waitFor('the row marked after a second pass', async () =>
        (await db.prisma.outbox.findUniqueOrThrow({ where: { id: row.id } })).relayedAt
          ? true
          : undefined,
      );
      const posted = () =>
        fake.calls('sendMessage').filter((call) => chats.includes(String(call.params.chat_id)));
      await waitFor('a card in every chat', () => posted().length >= chats.length);
      // Queued twice: the second pass's jobs must not post again once the queue is drained.
      await waitFor('the push queue drained', async () => {
        const left = await queue.getJobCounts('wait', 'delayed', 'active', 'prioritized');
        return Object.values(left).every((n) => n === 0);
      });
      expect(marks).toBeGreaterThanOrEqual(2);
      expect(
        posted()
          .map((call) => String(call.params.chat_id))
          .sort(),
      ).toEqual([...chats].sort());
    } finally {
      await workers?.close();
      await queue.obliterate({ force: true }).catch(() => undefined);
      await queue.close();
    }
  });
});
