/**
 * The hourly hot-topics job: rolls the counter's days into PostgreSQL and
 * sends the committee's weekly card when its time has come. A BullMQ job
 * scheduler runs it once per interval however many workers are up; the work
 * itself (src/app/hot-topics-jobs.ts) is idempotent.
 */
import { type ConnectionOptions, Queue, Worker } from 'bullmq';

export const HOT_TOPICS_QUEUE = 'hot-topics';
const SCHEDULER_ID = 'v1-hot-topics';

export type HotTopicsJobOptions = {
  connection: ConnectionOptions;
  prefix: string;
  now: () => Date;
  run: (now: Date) => Promise<{ rolled: number; cards: number }>;
  /** Default one hour. */
  everyMs?: number;
  onRun?: (result: { rolled: number; cards: number }) => void;
  onError?: (error: Error) => void;
};

export async function startHotTopicsJob(
  options: HotTopicsJobOptions,
): Promise<{ close(): Promise<void> }> {
  const { connection, prefix } = options;
  const queue = new Queue(HOT_TOPICS_QUEUE, { connection, prefix });
  const onError = (error: Error) => options.onError?.(error);
  queue.on('error', onError);
  await queue.upsertJobScheduler(
    SCHEDULER_ID,
    { every: options.everyMs ?? 3600_000 },
    { name: 'hot-topics', opts: { removeOnComplete: 10, removeOnFail: 50 } },
  );
  const worker = new Worker(
    HOT_TOPICS_QUEUE,
    async () => options.onRun?.(await options.run(options.now())),
    { connection, prefix, concurrency: 1 },
  );
  worker.on('error', onError);
  worker.on('failed', (_job, error) => onError(error));
  return {
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
