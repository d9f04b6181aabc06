/**
 * The product side of the memory scenario: a worker process (startWorkers)
 * schedules pending deadlines through the product's scheduler in steps; after
 * each step, the private Redis's used_memory delta and the process's RSS.
 */
import { createBenchDatabase } from '../lib/database.ts';
import { privateRedis, uniquePrefix } from '../lib/redis.ts';
import { startWorkerProcess } from '../lib/worker-process.ts';
import type { MemoryRun, MemoryStep } from './memory-run.ts';

const PER_COMMUNITY = 1000;
const DAY_MS = 86_400_000;

export async function productMemory(steps: number[], log: (m: string) => void): Promise<MemoryRun> {
  const redis = await privateRedis();
  try {
    // No database rows are needed: nothing is due within the run, and scheduling reads none.
    const db = await createBenchDatabase();
    try {
      const worker = await startWorkerProcess(
        { databaseUrl: db.url, redisUrl: redis.url, prefix: uniquePrefix('memory') },
        60_000,
      );
      try {
        await new Promise((r) => setTimeout(r, 500));
        const before = await redis.usedMemory();
        const out: MemoryStep[] = [];
        let scheduled = 0;
        let tag = 0;
        for (const target of steps) {
          const add = target - scheduled;
          const perCommunity = Math.min(PER_COMMUNITY, add);
          const reply = await worker.ask(
            {
              cmd: 'schedule',
              tag: tag++,
              communities: Math.ceil(add / perCommunity),
              perCommunity,
              firstMs: Date.now() + 3_600_000,
              stepMs: Math.floor(DAY_MS / add),
            },
            'scheduled',
          );
          scheduled += reply.jobs;
          const mem = await worker.ask({ cmd: 'memory' }, 'memory');
          out.push({
            pending: scheduled,
            redisBytes: (await redis.usedMemory()) - before,
            rssMb: Math.round(mem.rssBytes / 2 ** 20),
          });
          log(`memory: ${scheduled} pending, ${out.at(-1)?.redisBytes} B in Redis`);
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
    await redis.stop();
  }
}
