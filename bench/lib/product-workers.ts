/**
 * The product's deadline workers in this process (workers/index.ts
 * `startWorkers`), on the scenario's database and a private Redis. The
 * `beforeEffect` hook notes when a handler starts on a due deadline, and the
 * push queue can be a counting stand-in where the scenario does not measure pushes.
 */
import { randomUUID } from 'node:crypto';
import type { PushQueue } from '../../src/app/ports/queue.ts';
import { databasePorts } from '../../src/runtime/worker-ports.ts';
import { startWorkers, type Workers, type WorkersOptions } from '../../workers/index.ts';
import type { PushRequest } from '../../workers/push/push-request.ts';
import type { BenchDatabase } from './database.ts';

export type CountingPushQueue = PushQueue & { requests: PushRequest[]; calls: number };

export function countingPushQueue(): CountingPushQueue {
  const queue: CountingPushQueue = {
    requests: [],
    calls: 0,
    async enqueue(requests) {
      queue.calls++;
      queue.requests.push(...requests);
    },
  };
  return queue;
}

export type BenchWorkers = Workers & {
  /** Date.now() at which a handler first started on each subject's due deadline, by proposal id. */
  handlerStarts: Map<string, number>;
};

export async function startBenchWorkers(
  db: BenchDatabase,
  options: {
    redisUrl: string;
    prefix: string;
    push: PushQueue;
    workers?: Partial<WorkersOptions>;
  },
): Promise<BenchWorkers> {
  const ports = databasePorts(db);
  const handlerStarts = new Map<string, number>();
  const workers = await startWorkers(
    {
      clock: { now: () => new Date() },
      ids: { next: () => randomUUID() },
      store: ports.store,
      reader: ports.reader,
      ledger: ports.ledger,
      feed: ports.feed,
      closer: ports.closer,
      push: options.push,
    },
    {
      connection: options.redisUrl,
      prefix: options.prefix,
      // The scenarios start passes themselves; the periodic one would only add noise.
      reconcileIntervalMs: 3_600_000,
      ...options.workers,
      hooks: {
        ...options.workers?.hooks,
        // Called as a due deadline is about to take effect: the handler's start.
        async beforeEffect(job, jobId) {
          if (!handlerStarts.has(job.subjectId)) handlerStarts.set(job.subjectId, Date.now());
          await options.workers?.hooks?.beforeEffect?.(job, jobId);
        },
      },
    },
  );
  return Object.assign(workers, { handlerStarts });
}

/** Polls the deadlines queue until at least `count` jobs are delayed or waiting; returns ms taken. */
export async function awaitScheduled(
  workers: Workers,
  count: number,
  timeoutMs: number,
): Promise<{ ms: number; scheduled: number }> {
  const started = performance.now();
  let scheduled = 0;
  for (;;) {
    const counts = await workers.queue.getJobCounts('delayed', 'waiting', 'active', 'prioritized');
    scheduled = Object.values(counts).reduce((a, b) => a + b, 0);
    if (scheduled >= count || performance.now() - started > timeoutMs) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return { ms: performance.now() - started, scheduled };
}
