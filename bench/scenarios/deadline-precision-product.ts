/**
 * The product side of the precision scenario: the workers' scheduler,
 * reconciler and deadline worker (in this process) on a database holding the
 * backlog as co-sign windows spread over 24 hours; the probes are votes
 * closing every 100 ms, scheduled the way the outbox relay does after a commit.
 */

import { scheduleReader } from '../../src/store/schedule-store.ts';
import { installCommitTrigger, watchCommits } from '../lib/commit-watch.ts';
import { withDatabase } from '../lib/database.ts';
import { plannedProposals, scheduleDirectly } from '../lib/fast-schedule.ts';
import { Latencies } from '../lib/latency.ts';
import { awaitProbes, probesFrom } from '../lib/probes.ts';
import { awaitScheduled, countingPushQueue, startBenchWorkers } from '../lib/product-workers.ts';
import { privateRedis, uniquePrefix } from '../lib/redis.ts';
import { proposalId, seedCommunities, seedProposals } from '../lib/seed.ts';
import type { PrecisionRun, PrecisionSizes } from './deadline-precision-run.ts';

const DAY_MS = 86_400_000;
const PER_COMMUNITY = 1000;

export async function productPrecision(
  sizes: PrecisionSizes,
  log: (m: string) => void,
): Promise<PrecisionRun & { committed: ReturnType<Latencies['summary']>; scheduleMs: number }> {
  return withDatabase(async (db) => {
    await installCommitTrigger(db.pool, {
      table: '"Proposal"',
      channel: 'bench_closed',
      keySql: 'NEW.id',
      events: 'UPDATE',
      when: `NEW.state IN ('passed', 'rejected', 'no_quorum') AND OLD.state = 'voting'`,
    });
    const redis = await privateRedis();
    // Started on the empty database, so the start-up reconcile pass is over at once and the
    // periodic one (an hour) stays out of the measurement; the recovery scenario times a pass.
    const workers = await startBenchWorkers(db, {
      redisUrl: redis.url,
      prefix: uniquePrefix('precision'),
      push: countingPushQueue(),
    });
    await workers.reconciler.runNow();
    const watch = await watchCommits(db.url, 'bench_closed');
    try {
      const communities = Math.ceil(sizes.backlog / PER_COMMUNITY);
      const backlog = await seedCommunities(db.pool, { tag: 0, count: communities, households: 5 });
      const spec = {
        perCommunity: Math.min(PER_COMMUNITY, sizes.backlog),
        state: 'collecting' as const,
        first: new Date(Date.now() + 5_000),
        stepMs: Math.floor(DAY_MS / sizes.backlog),
      };
      await seedProposals(db.pool, backlog, spec);
      const started = performance.now();
      const jobs = await scheduleDirectly(workers.scheduler, plannedProposals(backlog, spec));
      const { scheduled } = await awaitScheduled(workers, jobs, 60_000);
      const scheduleMs = performance.now() - started;
      log(
        `deadline-precision: ${scheduled} backlog jobs scheduled in ${Math.round(scheduleMs)} ms`,
      );
      const probeSet = await seedCommunities(db.pool, { tag: 1, count: 1, households: 20 });
      const probes = probesFrom(Date.now(), {
        ...sizes,
        leadMs: sizes.leadMs + 1_000,
        id: (i) => proposalId(probeSet, 0, i + 1),
      });
      const first = probes[0];
      if (!first) throw new Error('no probes');
      await seedProposals(db.pool, probeSet, {
        perCommunity: probes.length,
        state: 'voting',
        first: new Date(first.dueAt),
        stepMs: sizes.everyMs,
        votingMs: 60_000,
      });
      const reader = scheduleReader(db);
      for (let i = 0; i < probes.length; i += 20) {
        await Promise.all(
          probes.slice(i, i + 20).map(async (_, j) => {
            const subject = await reader.subject(probeSet.communityId(0), i + j + 1);
            if (!subject) throw new Error('probe proposal missing');
            await workers.scheduler.sync(
              subject.proposal.id,
              await workers.scheduler.planFor(subject),
            );
          }),
        );
      }
      const lateBy = Date.now() - first.dueAt;
      if (lateBy > 0)
        log(`deadline-precision: probes scheduled ${lateBy} ms after the first was due`);
      const { lateness, missing } = await awaitProbes(
        probes,
        (id) => workers.handlerStarts.get(id),
        15_000,
      );
      await watch.waitFor(probes.length, 10_000);
      const committed = new Latencies();
      const wallOffset = Date.now() - performance.now();
      for (const p of probes) {
        const at = watch.committedAt.get(p.id);
        if (at !== undefined) committed.record(at + wallOffset - p.dueAt);
      }
      return {
        lateness: lateness.summary(),
        missing,
        early: lateness.negative,
        committed: committed.summary(),
        scheduleMs: Math.round(scheduleMs),
      };
    } finally {
      await watch.close();
      await workers.close();
      await redis.stop();
    }
  });
}
