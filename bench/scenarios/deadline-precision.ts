/**
 * Deadline precision: 100,000 pending deadlines spread over 24 hours, plus
 * probe deadlines due every 100 ms for a minute; lateness from the due time
 * to the start of the handler, p50/p99/max, on a private redis-server with
 * the default `hz 10`. Baseline: bare BullMQ delayed jobs, same backlog.
 */
import { addBareBacklog, bareDeadlines } from '../lib/bare-deadlines.ts';
import { awaitProbes, probesFrom } from '../lib/probes.ts';
import { privateRedis, uniquePrefix } from '../lib/redis.ts';
import { ratio } from '../lib/report.ts';
import type { Figure, Scenario } from '../lib/types.ts';
import { productPrecision } from './deadline-precision-product.ts';
import type { PrecisionRun, PrecisionSizes } from './deadline-precision-run.ts';

const DAY_MS = 86_400_000;

export const precisionSizes = (quick: boolean): PrecisionSizes =>
  quick
    ? { backlog: 2_000, everyMs: 100, forMs: 5_000, leadMs: 1_500 }
    : { backlog: 100_000, everyMs: 100, forMs: 60_000, leadMs: 2_000 };

async function bareRun(sizes: PrecisionSizes, log: (m: string) => void): Promise<PrecisionRun> {
  const redis = await privateRedis();
  const bare = bareDeadlines(redis.connection, uniquePrefix('precision'));
  try {
    await addBareBacklog(bare.queue, sizes.backlog, Date.now(), DAY_MS);
    log(`deadline-precision: bare backlog of ${sizes.backlog} added`);
    bare.startWorker();
    const probes = probesFrom(Date.now(), { ...sizes, id: (i) => `v1-probe-${i}` });
    await bare.queue.addBulk(
      probes.map((p) => ({
        name: 'close',
        data: { communityId: 'probe', number: 1 },
        opts: { jobId: p.id, delay: Math.max(0, p.dueAt - Date.now()) },
      })),
    );
    const { lateness, missing } = await awaitProbes(probes, (id) => bare.started.get(id), 15_000);
    return { lateness: lateness.summary(), missing, early: lateness.negative };
  } finally {
    await bare.close();
    await redis.stop();
  }
}

export const deadlinePrecision: Scenario = {
  name: 'deadline-precision',
  title: 'Deadline precision under a 24 h backlog',
  async run(ctx) {
    const sizes = precisionSizes(ctx.quick);
    const base = await bareRun(sizes, ctx.log);
    ctx.log(`deadline-precision: bare p99 ${base.lateness.p99} ms; now the product`);
    const product = await productPrecision(sizes, ctx.log);
    const fig = (name: string, pick: (r: PrecisionRun) => number, extra: Partial<Figure> = {}) => {
      const value = product ? pick(product) : null;
      const baseline = pick(base);
      return { name, value, unit: 'ms', baseline, ratio: ratio(value, baseline), ...extra };
    };
    return {
      path: 'workers',
      size: { backlog: sizes.backlog, probes: Math.floor(sizes.forMs / sizes.everyMs) },
      figures: [
        fig('lateness p50', (r) => r.lateness.p50),
        fig('lateness p99', (r) => r.lateness.p99, { goal: { op: '<=', value: 150 } }),
        fig('lateness max', (r) => r.lateness.max),
        {
          name: 'due → close committed p99',
          value: product ? product.committed.p99 : null,
          unit: 'ms',
        },
        {
          name: 'probes that never fired',
          value: product ? product.missing : null,
          unit: 'count',
          baseline: base.missing,
          goal: { op: '=', value: 0 },
        },
      ],
      details: { baseline: base, product },
    };
  },
};
