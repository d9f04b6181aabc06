/**
 * Memory: Redis bytes per pending deadline (INFO memory used_memory deltas on
 * a private redis-server) and the worker process's RSS as pending deadlines
 * grow from 10k to 100k. Baseline: bare BullMQ delayed jobs with ids only.
 */
import { addBareBacklog, bareDeadlines } from '../lib/bare-deadlines.ts';
import { privateRedis, uniquePrefix } from '../lib/redis.ts';
import { ratio } from '../lib/report.ts';
import type { Figure, Scenario } from '../lib/types.ts';
import { productMemory } from './memory-product.ts';
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
      await addBareBacklog(bare.queue, target - added, Date.now() + 3_600_000, DAY_MS);
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
    const figures: Figure[] = [
      {
        name: `Redis bytes per pending deadline (at ${steps.at(-1)?.toLocaleString('en-US')})`,
        value: product ? product.bytesPerDeadline : null,
        unit: 'B',
        goal: { op: '<=', value: 1536 },
        baseline: base.bytesPerDeadline,
        ratio: ratio(product?.bytesPerDeadline ?? null, base.bytesPerDeadline),
      },
    ];
    for (const [i, pending] of steps.entries()) {
      const step = product?.steps[i];
      figures.push({
        name: `worker RSS at ${pending.toLocaleString('en-US')} pending`,
        value: step?.rssMb ?? null,
        unit: 'MB',
      });
    }
    return {
      path: 'workers',
      size: { pending: steps.at(-1) ?? 0 },
      figures,
      details: { baseline: base, product },
    };
  },
};
