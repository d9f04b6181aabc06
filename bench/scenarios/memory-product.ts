/**
 * The product side of the memory scenario. Pending deadlines are what
 * PostgreSQL holds (the truth): collecting proposals, one co-sign deadline
 * each, seeded in steps, each step spread over the next 30 days. A worker
 * process (startWorkers, default 48 h horizon) runs a reconcile pass after
 * each step, as it does every minute, and puts into Redis what is within the
 * horizon; then the private Redis's used_memory delta, divided by the
 * deadlines pending in PostgreSQL, and the process's RSS.
 */
import { Queue } from 'bullmq';
import { DEADLINES_QUEUE } from '../../workers/queues.ts';
import { createBenchDatabase } from '../lib/database.ts';
import { privateRedis, uniquePrefix } from '../lib/redis.ts';
import { seedCommunities, seedProposals } from '../lib/seed.ts';
import { startWorkerProcess } from '../lib/worker-process.ts';
import type { MemoryRun, MemoryStep } from './memory-run.ts';

const PER_COMMUNITY = 1000;
const DAY_MS = 86_400_000;
export const SPREAD_DAYS = 30;
/** The first deadline of a step: none falls due while the scenario runs. */
const FIRST_IN_MS = 10 * 60_000;

export async function productMemory(steps: number[], log: (m: string) => void): Promise<MemoryRun> {
  const redis = await privateRedis();
  const prefix = uniquePrefix('memory');
  const inspect = new Queue(DEADLINES_QUEUE, { connection: redis.connection(), prefix });
  try {
    const db = await createBenchDatabase();
    try {
      const worker = await startWorkerProcess(
        { databaseUrl: db.url, redisUrl: redis.url, prefix },
        60_000,
      );
      try {
        // The start-up pass, on the empty database.
        await worker.waitFor('reconciled', 60_000);
        const before = await redis.usedMemory();
        const out: MemoryStep[] = [];
        let pending = 0;
        for (const [tag, target] of steps.entries()) {
          const add = target - pending;
          const perCommunity = Math.min(PER_COMMUNITY, add);
          const set = await seedCommunities(db.pool, {
            tag,
            count: Math.ceil(add / perCommunity),
            households: 1,
          });
          await seedProposals(db.pool, set, {
            perCommunity,
            state: 'collecting',
            first: new Date(Date.now() + FIRST_IN_MS),
            stepMs: Math.floor((SPREAD_DAYS * DAY_MS) / add),
          });
          pending += set.count * perCommunity;
          const pass = await worker.ask({ cmd: 'reconcile' }, 'reconciled');
          const jobs = await inspect.getDelayedCount();
          const mem = await worker.ask({ cmd: 'memory' }, 'memory');
          out.push({
            pending,
            redisBytes: (await redis.usedMemory()) - before,
            rssMb: Math.round(mem.rssBytes / 2 ** 20),
            jobs,
            passMs: Math.round(pass.ms),
          });
          log(
            `memory: ${pending} pending in PostgreSQL, ${jobs} jobs within the horizon, ${out.at(-1)?.redisBytes} B in Redis (pass ${Math.round(pass.ms)} ms)`,
          );
        }
        const last = out.at(-1);
        return {
          steps: out,
          bytesPerDeadline: last ? Math.round(last.redisBytes / last.pending) : 0,
        };
      } finally {
        await worker.kill();
      }
    } finally {
      await db.drop();
    }
  } finally {
    await inspect.close();
    await redis.stop();
  }
}
