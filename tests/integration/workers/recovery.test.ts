/**
 * PostgreSQL is the truth: after Redis loses everything (FLUSHALL), the
 * reconciler rebuilds every pending deadline within the horizon and each
 * fires once (issue #5, done-when line 3; issue #17, line 4). Runs on a
 * Redis server of its own.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { deadlineJobId } from '../../../src/app/deadline-plan.ts';
import { DEADLINES_QUEUE } from '../../../workers/queues.ts';
import { seedCommunity } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { startRedis } from '../../support/processes.ts';
import {
  auditOf,
  bindChats,
  recordingPushQueue,
  startTestWorkers,
  waitFor,
} from '../../support/workers.ts';

const COUNT = 1000;

describe('recovery from a flushed Redis', () => {
  let db: TestDatabase;
  let redis: { url: string; stop: () => Promise<void> };

  beforeAll(async () => {
    [db, redis] = await Promise.all([createTestDatabase(), startRedis()]);
  });
  afterAll(async () => {
    await redis.stop();
    await db.drop();
  });

  it('rebuilds 1,000 pending deadlines after FLUSHALL and fires each once', async () => {
    const c = await seedCommunity(db, { households: 3, realClock: true });
    await bindChats(db, c.id, [{ platform: 'telegram', chatId: '-1009999' }]);
    const author = c.residents[0]?.id ?? '';
    const now = Date.now();
    // Far enough for the restart below on a loaded 2-core machine (10 s was not, once).
    const dueAt = new Date(now + 15_000);
    // 1,000 proposals whose co-sign windows all end at dueAt, far from their thresholds.
    await db.prisma.proposal.createMany({
      data: Array.from({ length: COUNT }, (_, i) => ({
        id: randomUUID(),
        communityId: c.id,
        number: 1000 + i,
        title: `议题 ${i}`,
        body: '',
        category: 'other',
        authorId: author,
        state: 'collecting' as const,
        createdAt: new Date(now),
        cosignDeadline: dueAt,
        cosignThreshold: 1000,
        cosignCount: 1,
      })),
    });
    const prefix = `t-${randomUUID()}`;
    const inspect = new Queue(DEADLINES_QUEUE, { connection: { url: redis.url }, prefix });

    const first = await startTestWorkers(db, { connection: redis.url, prefix, keepKeys: true });
    const scheduled = await first.reconciler.runNow();
    expect(scheduled.subjects).toBe(COUNT);
    // Every proposal's expiry; the community's weekly digest is days away, beyond the
    // horizon (48 h): PostgreSQL has it, Redis not yet.
    expect(await inspect.getDelayedCount()).toBe(COUNT);
    await first.close();
    expect(await inspect.getDelayedCount()).toBe(COUNT);

    const client = new Redis(redis.url);
    await client.flushall();
    client.disconnect();
    expect(await inspect.getDelayedCount()).toBe(0);

    const restartedAt = Date.now();
    const push = recordingPushQueue();
    const second = await startTestWorkers(db, { connection: redis.url, prefix, push });
    const rebuilt = await second.reconciler.runNow();
    const rebuiltMs = Date.now() - restartedAt;
    expect(rebuilt.subjects).toBe(COUNT);
    // The restart finished before the deadlines: they fire from the rebuilt queue.
    expect(Date.now()).toBeLessThan(dueAt.getTime());
    expect(await inspect.getDelayedCount()).toBe(COUNT);

    await waitFor(
      'every proposal to expire',
      async () =>
        (await db.prisma.proposal.count({ where: { communityId: c.id, state: 'expired' } })) ===
        COUNT,
      30_000,
    );
    const lastExpiry = await db.prisma.proposal.aggregate({
      where: { communityId: c.id },
      _max: { closedAt: true },
      _min: { closedAt: true },
    });
    await waitFor(
      'every expiry to be relayed',
      async () =>
        (await db.prisma.outbox.count({ where: { communityId: c.id, relayedAt: null } })) === 0 &&
        (await db.prisma.outbox.count({ where: { communityId: c.id } })) === COUNT,
    );
    // Another reconcile pass adds nothing back: expired proposals have no deadlines.
    expect((await second.reconciler.runNow()).subjects).toBe(0);
    await second.relay?.relayOnce();

    const expiries = await auditOf(db, c.id, 'proposal.expired');
    expect(expiries).toHaveLength(COUNT);
    expect(new Set(expiries.map((e) => e.subject)).size).toBe(COUNT);
    const cards = push.cards('proposal_card').map((p) => p.request.number);
    expect(cards).toHaveLength(COUNT);
    expect(new Set(cards).size).toBe(COUNT);
    const completed = await inspect.getJobs(['completed'], 0, 5 * COUNT);
    expect(completed.filter((j) => j.returnvalue?.kind === 'fired')).toHaveLength(COUNT);
    console.info(
      `rebuilt ${COUNT} deadlines in ${rebuiltMs} ms; fired from ${
        (lastExpiry._min.closedAt?.getTime() ?? 0) - dueAt.getTime()
      } to ${(lastExpiry._max.closedAt?.getTime() ?? 0) - dueAt.getTime()} ms after the deadline`,
    );
    await inspect.close();
    await second.close();
  });

  it('rebuilds the horizon within seconds of a FLUSHALL under running workers, and fires each once', async () => {
    const c = await seedCommunity(db, { households: 3, realClock: true });
    const author = c.residents[0]?.id ?? '';
    const count = 100;
    const dueAt = new Date(Date.now() + 12_000);
    const ids = Array.from({ length: count }, () => randomUUID());
    await db.prisma.proposal.createMany({
      data: ids.map((id, i) => ({
        id,
        communityId: c.id,
        number: 5000 + i,
        title: `议题 ${i}`,
        body: '',
        category: 'other',
        authorId: author,
        state: 'collecting' as const,
        createdAt: new Date(),
        cosignDeadline: dueAt,
        cosignThreshold: 1000,
        cosignCount: 1,
      })),
    });
    const prefix = `t-${randomUUID()}`;
    const inspect = new Queue(DEADLINES_QUEUE, { connection: { url: redis.url }, prefix });
    // The periodic pass is a minute away: only the horizon's mark going can bring the jobs back.
    const workers = await startTestWorkers(db, { connection: redis.url, prefix });
    // This community's jobs (the database may hold other tests' pending deadlines too).
    const jobsThere = async () => {
      const jobs = await Promise.all(
        ids.map((id) => inspect.getJob(deadlineJobId('cosign_expiry', id, dueAt))),
      );
      return jobs.filter((j) => j !== undefined).length;
    };
    await workers.reconciler.runNow();
    expect(await jobsThere()).toBe(count);

    const client = new Redis(redis.url);
    await client.flushall();
    client.disconnect();
    const flushedAt = Date.now();
    await waitFor('the horizon to be rebuilt', async () => (await jobsThere()) === count, 5_000);
    const rebuiltMs = Date.now() - flushedAt;
    expect(Date.now()).toBeLessThan(dueAt.getTime());

    await waitFor(
      'every proposal to expire',
      async () =>
        (await db.prisma.proposal.count({ where: { communityId: c.id, state: 'expired' } })) ===
        count,
      20_000,
    );
    const expiries = await auditOf(db, c.id, 'proposal.expired');
    expect(expiries).toHaveLength(count);
    expect(new Set(expiries.map((e) => e.subject)).size).toBe(count);
    console.info(`running workers rebuilt ${count} deadlines ${rebuiltMs} ms after FLUSHALL`);
    await inspect.close();
    await workers.close();
  });

  it('refuses to start on a Redis that may evict keys, with a one-line reason', async () => {
    const client = new Redis(redis.url);
    await client.config('SET', 'maxmemory-policy', 'allkeys-lru');
    try {
      const started = startTestWorkers(db, { connection: redis.url });
      await expect(started).rejects.toThrow(
        /^REDIS_URL: Redis maxmemory-policy is "allkeys-lru", but the queues need "noeviction"[^\n]*$/,
      );
    } finally {
      await client.config('SET', 'maxmemory-policy', 'noeviction');
      client.disconnect();
    }
  });
});
