/**
 * Deadlines with nothing but BullMQ: delayed jobs carrying ids, a worker that
 * notes when each starts. The baseline for precision and memory.
 */
import { randomUUID } from 'node:crypto';
import { Queue, Worker } from 'bullmq';
import type { Redis } from 'ioredis';

export const BARE_QUEUE = 'bare-deadlines';

export type BareJob = { communityId: string; number: number };

/** An id shaped like the product's: a versioned kind and a UUID, never all digits or with `:`. */
export const bareJobId = (kind: string, i: number) => `v1-${kind}-${randomUUID()}-${i}`;

/** Adds `count` delayed jobs due between `from` and `from + spreadMs`, in bulks of 1,000. */
export async function addBareBacklog(
  queue: Queue<BareJob>,
  count: number,
  from: number,
  spreadMs: number,
  onProgress?: (added: number) => void,
): Promise<void> {
  const bulk = 1000;
  for (let start = 0; start < count; start += bulk) {
    const jobs = [];
    const now = Date.now();
    for (let i = start; i < Math.min(count, start + bulk); i++) {
      const due = from + Math.floor((i * spreadMs) / count);
      jobs.push({
        name: 'close',
        data: { communityId: randomUUID(), number: 1 + (i % 500) },
        opts: { jobId: bareJobId('close', i), delay: Math.max(0, due - now) },
      });
    }
    await queue.addBulk(jobs);
    onProgress?.(Math.min(count, start + bulk));
  }
}

export type BareDeadlines = {
  queue: Queue<BareJob>;
  /** Start time (Date.now()) of each job by id, noted first thing in the processor. */
  started: Map<string, number>;
  startWorker(): Worker<BareJob>;
  close(): Promise<void>;
};

export function bareDeadlines(connection: () => Redis, prefix: string): BareDeadlines {
  const queue = new Queue<BareJob>(BARE_QUEUE, {
    connection: connection(),
    prefix,
    defaultJobOptions: { removeOnComplete: true, removeOnFail: 1000 },
  });
  const started = new Map<string, number>();
  const workers: Worker<BareJob>[] = [];
  return {
    queue,
    started,
    startWorker() {
      const worker = new Worker<BareJob>(
        BARE_QUEUE,
        async (job) => {
          if (job.id) started.set(job.id, Date.now());
        },
        { connection: connection(), prefix, concurrency: 10 },
      );
      worker.on('error', () => {});
      workers.push(worker);
      return worker;
    },
    async close() {
      await Promise.all(workers.map((w) => w.close()));
      await queue.close();
    },
  };
}
