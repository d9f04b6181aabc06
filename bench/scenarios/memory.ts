/**
 * Memory: Redis bytes per pending deadline (INFO memory used_memory deltas on
 * a private redis-server) and the worker process's RSS as pending deadlines
 * grow from 10k to 100k. Pending means in PostgreSQL, the truth, spread over
 * 30 days; the product keeps only those within its horizon (48 h) in Redis.
 * Baseline: bare BullMQ delayed jobs with ids only, every pending deadline a job.
 */
import { addBareBacklog, bareDeadlines } from '../lib/bare-deadlines.ts';
import { privateRedis, uniquePrefix } from '../lib/redis.ts';
import { ratio } from '../lib/report.ts';
import type { Figure, Scenario } from '../lib/types.ts';
import { productMemory, SPREAD_DAYS } from './memory-product.ts';
import type { MemoryRun, MemoryStep } from './memory-run.ts';

const DAY_MS = 86_400_000;

export const memorySteps = (quick: boolean) =>
  quick ? [500, 1_000, 2_000] : [10_000, 25_000, 50_000, 100_000];

async function bareRun(steps: number[]): Promise<MemoryRun> {
  const redis = await privateRedis();
  const bare = bareDeadlines(redis.connection, uniquePrefix('memory'));
  try {
    await bare.queue.waitUntilReady();
    const before = await redis.usedMemory();
    const out: MemoryStep[] = [];
    let added = 0;
    for (const target of steps) {
      await addBareBacklog(bare.queue, target - added, Date.now() + 600_000, SPREAD_DAYS * DAY_MS);
      added = target;
      out.push({ pending: target, redisBytes: (await redis.usedMemory()) - before, rssMb: null });
    }
    const last = out.at(-1);
    return { steps: out, bytesPerDeadline: last ? Math.round(last.redisBytes / last.pending) : 0 };
  } finally {
    await bare.close();
    await redis.stop();
  }
}

export const memory: Scenario = {
  name: 'memory',
  title: 'Memory per pending deadline',
  async run(ctx) {
    const steps = memorySteps(ctx.quick);
    const base = await bareRun(steps);
    ctx.log(`memory: bare ${base.bytesPerDeadline} B per deadline; now the product`);
    const product = await productMemory(steps, ctx.log);
    const pending = steps.at(-1) ?? 0;
    const last = product.steps.at(-1);
    const figures: Figure[] = [
      {
        name: `Redis bytes per pending deadline (${pending.toLocaleString('en-US')} pending in PostgreSQL, spread over ${SPREAD_DAYS} days; the jobs within the 48 h horizon in Redis)`,
        value: product.bytesPerDeadline,
        unit: 'B',
        goal: { op: '<=', value: 400 },
        baseline: base.bytesPerDeadline,
        ratio: ratio(product.bytesPerDeadline, base.bytesPerDeadline),
      },
      {
        name: `deadline jobs in Redis at ${pending.toLocaleString('en-US')} pending (those due within the horizon, the communities' weekly digests among them when due within it)`,
        value: last?.jobs ?? null,
        unit: 'count',
      },
      {
        name: `Redis bytes per deadline job at ${pending.toLocaleString('en-US')} pending`,
        value: last?.jobs ? Math.round(last.redisBytes / last.jobs) : null,
        unit: 'B',
      },
      {
        name: `reconcile pass at ${pending.toLocaleString('en-US')} pending`,
        value: last?.passMs ?? null,
        unit: 'ms',
      },
    ];
    for (const [i, pendingAt] of steps.entries()) {
      const step = product.steps[i];
      figures.push({
        name: `worker RSS at ${pendingAt.toLocaleString('en-US')} pending`,
        value: step?.rssMb ?? null,
        unit: 'MB',
      });
    }
    return {
      path: 'workers',
      size: { pending },
      figures,
      details: { baseline: base, product },
    };
  },
};
