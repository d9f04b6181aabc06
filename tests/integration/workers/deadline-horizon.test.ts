/**
 * The deadline horizon (issue #17, done-when line 4): only deadlines due
 * within it are jobs in Redis; the reconciler's periodic pass adds the others
 * from PostgreSQL as they come into range. Deadlines just inside and just
 * outside a 3 s horizon, one two horizons away (it can only come in through
 * the pass), one moved out of range and one moved into it: each fires once,
 * on time, and no job was ever in Redis before its deadline was within the
 * horizon. Workers run on an injected clock that starts at a fixed instant
 * (a Wednesday noon in Shanghai, the digest days away) and runs at real speed,
 * since BullMQ's delays are real time.
 */
import { randomUUID } from 'node:crypto';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Deadline } from '../../../src/app/deadline-plan.ts';
import { deadlineJobId } from '../../../src/app/deadline-plan.ts';
import { scheduleReader } from '../../../src/store/schedule-store.ts';
import { createDeadlineScheduler } from '../../../workers/deadlines/scheduler.ts';
import { DEADLINES_QUEUE } from '../../../workers/queues.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { digestJustPassed } from '../../support/digest.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import {
  auditOf,
  REDIS_URL,
  startTestWorkers,
  type TestWorkers,
  waitFor,
} from '../../support/workers.ts';

const HORIZON_MS = 3000;
const PASS_MS = 500;
/** Wednesday 2030-01-09 12:00 in Shanghai. */
const START = Date.parse('2030-01-09T04:00:00.000Z');
/** How late a deadline may take effect: the worker's wake-up, a transaction, a loaded machine. */
const LATE_BOUND_MS = 1000;

/** The clock from START on, at real speed. */
function startedClock(): { now: () => Date; offsetMs: number } {
  const offsetMs = START - Date.now();
  return { now: () => new Date(Date.now() + offsetMs), offsetMs };
}

/** A community whose digest is 12 h after START: never within a seconds-scale horizon. */
async function community(db: TestDatabase): Promise<TestCommunity> {
  return seedCommunity(db, {
    households: 3,
    policy: { quietHours: null, digest: digestJustPassed(new Date(START + 13 * 3_600_000)) },
  });
}

describe('the deadline horizon', () => {
  let db: TestDatabase;
  let workers: TestWorkers | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await workers?.close();
    await db.drop();
  });

  it('fires deadlines just inside and just outside it once and on time, the far ones added by the periodic pass', async () => {
    const clock = startedClock();
    const c = await community(db);
    const author = c.residents[0]?.id ?? '';
    workers = await startTestWorkers(db, {
      clock,
      deadlineHorizonMs: HORIZON_MS,
      reconcileIntervalMs: PASS_MS,
    });
    await workers.reconciler.runNow();

    const t = clock.now().getTime();
    const at = (ms: number) => new Date(t + ms);
    const planned = {
      inside: at(HORIZON_MS - 500),
      outside: at(HORIZON_MS + 500),
      far: at(2 * HORIZON_MS),
      movedOut: at(2000),
      movedIn: at(2 * HORIZON_MS + 500),
    };
    const moves = { movedOut: at(HORIZON_MS + 1500), movedIn: at(2200) };
    const names = Object.keys(planned) as (keyof typeof planned)[];
    const ids = Object.fromEntries(names.map((name) => [name, randomUUID()])) as Record<
      keyof typeof planned,
      string
    >;
    const outbox = (number: number) => ({
      id: randomUUID(),
      communityId: c.id,
      number,
      kind: 'proposal_card',
      createdAt: clock.now(),
    });
    // Collecting proposals far from their co-sign thresholds, committed with their outbox
    // rows as the use cases do: the relay syncs each once.
    await db.prisma.$transaction([
      db.prisma.proposal.createMany({
        data: names.map((name, i) => ({
          id: ids[name],
          communityId: c.id,
          number: 100 + i,
          title: name,
          body: '',
          category: 'other',
          authorId: author,
          state: 'collecting' as const,
          createdAt: clock.now(),
          cosignDeadline: planned[name],
          cosignThreshold: 1000,
          cosignCount: 1,
        })),
      }),
      db.prisma.outbox.createMany({ data: names.map((_, i) => outbox(100 + i)) }),
    ]);
    const relayed = async () =>
      (await db.prisma.outbox.count({ where: { communityId: c.id, relayedAt: null } })) === 0;
    await waitFor('the outbox rows to be relayed', relayed, 1500, 10);
    const relayedAt = await db.prisma.outbox.findFirstOrThrow({ where: { communityId: c.id } });
    const queue = workers.queue;
    const job = (name: keyof typeof planned, dueAt: Date) =>
      queue.getJob(deadlineJobId('cosign_expiry', ids[name], dueAt));
    expect(await job('movedOut', planned.movedOut)).toBeDefined();

    // Move one deadline out of range and one into it, as a use case would: the new time
    // and an outbox row in one transaction.
    const moveNumber = {
      movedOut: 100 + names.indexOf('movedOut'),
      movedIn: 100 + names.indexOf('movedIn'),
    };
    await db.prisma.$transaction([
      db.prisma.proposal.update({
        where: { id: ids.movedOut },
        data: { cosignDeadline: moves.movedOut },
      }),
      db.prisma.proposal.update({
        where: { id: ids.movedIn },
        data: { cosignDeadline: moves.movedIn },
      }),
      db.prisma.outbox.createMany({
        data: [outbox(moveNumber.movedOut), outbox(moveNumber.movedIn)],
      }),
    ]);
    await waitFor('the moves to be relayed', relayed, 1500, 10);
    // The old time of the deadline moved out of range is gone, the new one not yet there.
    expect(clock.now().getTime()).toBeLessThan(planned.movedOut.getTime());
    expect(await job('movedOut', planned.movedOut)).toBeUndefined();

    const final = { ...planned, ...moves };
    await waitFor(
      'every proposal to expire',
      async () =>
        (await db.prisma.proposal.count({ where: { communityId: c.id, state: 'expired' } })) ===
        names.length,
      4 * HORIZON_MS,
    );
    // Another pass after they fired adds nothing back.
    expect((await workers.reconciler.runNow()).subjects).toBe(0);

    const expiries = await auditOf(db, c.id, 'proposal.expired');
    expect(expiries.map((e) => e.subject).sort()).toEqual(
      names.map((name) => `proposal:${ids[name]}`).sort(),
    );
    const report: string[] = [];
    for (const name of names) {
      const dueAt = final[name];
      const row = await db.prisma.proposal.findUniqueOrThrow({ where: { id: ids[name] } });
      const lateMs = (row.closedAt?.getTime() ?? 0) - dueAt.getTime();
      const fired = await job(name, dueAt);
      // Added (BullMQ's timestamp, on the real clock) once the deadline was within the horizon.
      const addedAt = (fired?.timestamp ?? 0) + clock.offsetMs;
      report.push(`${name}: added ${dueAt.getTime() - addedAt} ms ahead, fired +${lateMs} ms`);
      expect(fired?.returnvalue).toEqual({ kind: 'fired', outcome: 'expired', pushes: 0 });
      expect(addedAt).toBeGreaterThanOrEqual(dueAt.getTime() - HORIZON_MS);
      expect(lateMs).toBeGreaterThanOrEqual(0);
      expect(lateMs).toBeLessThan(LATE_BOUND_MS);
    }
    const syncedMs = (relayedAt.relayedAt?.getTime() ?? 0) - t;
    console.info(
      `[horizon ${HORIZON_MS} ms, pass every ${PASS_MS} ms, relayed at +${syncedMs} ms] ${report.join('; ')}`,
    );
    // The far one came in at least a horizon after the relay's only sync of it: by the pass.
    const far = await job('far', planned.far);
    expect((far?.timestamp ?? 0) + clock.offsetMs).toBeGreaterThanOrEqual(t + HORIZON_MS);
    // The time moved away from never fired; the one moved to was never a job before.
    expect(await job('movedOut', planned.movedOut)).toBeUndefined();
    expect(await job('movedIn', planned.movedIn)).toBeUndefined();
  }, 30_000);

  it('keeps the jobs of a newer sync when a pass adds from an older plan', async () => {
    const clock = { now: () => new Date(START) };
    const c = await community(db);
    const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const prefix = `t-${randomUUID()}`;
    const queue = new Queue(DEADLINES_QUEUE, { connection: redis, prefix });
    const scheduler = createDeadlineScheduler({
      queue,
      redis,
      prefix,
      reader: scheduleReader(db),
      clock,
      horizonMs: 48 * 3_600_000,
    });
    const subjectId = randomUUID();
    const close = (hours: number): Deadline => {
      const dueAt = new Date(START + hours * 3_600_000);
      return {
        type: 'vote_close',
        subjectId,
        communityId: c.id,
        number: 1,
        dueAt,
        detail: null,
        jobId: deadlineJobId('vote_close', subjectId, dueAt),
      };
    };
    const index = `${prefix}:yishi-deadline-index:${subjectId}`;
    try {
      const [old, moved, beyond] = [close(10), close(20), close(72)];
      await scheduler.sync(subjectId, [old]);
      // The relay syncs the moved vote; a pass that read the subject before the move adds
      // the old plan after it.
      await scheduler.syncMany([{ subjectId, plan: [moved] }]);
      expect(await scheduler.addMany([{ subjectId, plan: [old] }])).toBe(1);
      expect(await queue.getJob(moved.jobId)).toBeDefined();
      expect((await redis.smembers(index)).sort()).toEqual([moved.jobId, old.jobId].sort());
      // The relay's next sync drops the stale one again.
      await scheduler.sync(subjectId, [moved]);
      expect(await queue.getJob(old.jobId)).toBeUndefined();
      expect(await redis.smembers(index)).toEqual([moved.jobId]);

      // Moved beyond the horizon: no job and no index entry until a pass brings it in.
      await scheduler.sync(subjectId, [beyond]);
      expect(await queue.getJob(moved.jobId)).toBeUndefined();
      expect(await queue.getJob(beyond.jobId)).toBeUndefined();
      expect(await redis.exists(index)).toBe(0);
      expect(await scheduler.addMany([{ subjectId, plan: [beyond] }])).toBe(0);
      expect(await redis.exists(index)).toBe(0);
    } finally {
      await queue.obliterate({ force: true });
      await queue.close();
      await redis.del(index);
      redis.disconnect();
    }
  });
});
