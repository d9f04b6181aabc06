/**
 * The hourly housekeeping job: seal audit chains and prune expired records.
 * A BullMQ job scheduler makes it run once per interval however many worker
 * processes are up; each run is idempotent, so an extra run is harmless.
 */
import { type ConnectionOptions, Queue, Worker } from 'bullmq';

export const MAINTENANCE_QUEUE = 'maintenance';
const SCHEDULER_ID = 'v1-maintenance';

/** Kept at least two days: past Telegram's 24 h redelivery window with a margin. */
export const IDEMPOTENCY_RETENTION_MS = 48 * 3600_000;
const OUTBOX_RETENTION_MS = 7 * 24 * 3600_000;

export type MaintenanceTasks = {
  sealAudit(now: Date): Promise<number>;
  prune(cutoffs: { idempotencyBefore: Date; outboxBefore: Date }): Promise<Record<string, number>>;
  /** The README's retention table at `now` (src/store/retention-store.ts): rows deleted per kind. */
  retain?(now: Date): Promise<Record<string, number>>;
};

export type MaintenanceOptions = {
  connection: ConnectionOptions;
  prefix: string;
  tasks: MaintenanceTasks;
  now: () => Date;
  /** Default one hour. */
  everyMs?: number;
  onRun?: (result: { sealed: number; pruned: Record<string, number> }) => void;
  /** Connection trouble and failed runs (BullMQ reconnects and the next run retries). */
  onError?: (error: Error) => void;
};

export async function startMaintenance(
  options: MaintenanceOptions,
): Promise<{ close(): Promise<void> }> {
  const { connection, prefix, tasks } = options;
  const queue = new Queue(MAINTENANCE_QUEUE, { connection, prefix });
  // Without a listener BullMQ prints each reconnect error to the console.
  const onError = (error: Error) => options.onError?.(error);
  queue.on('error', onError);
  await queue.upsertJobScheduler(
    SCHEDULER_ID,
    { every: options.everyMs ?? 3600_000 },
    { name: 'maintain', opts: { removeOnComplete: 10, removeOnFail: 50 } },
  );
  const worker = new Worker(
    MAINTENANCE_QUEUE,
    async () => {
      const now = options.now();
      const sealed = await tasks.sealAudit(now);
      const pruned = await tasks.prune({
        idempotencyBefore: new Date(now.getTime() - IDEMPOTENCY_RETENTION_MS),
        outboxBefore: new Date(now.getTime() - OUTBOX_RETENTION_MS),
      });
      const retained = (await tasks.retain?.(now)) ?? {};
      options.onRun?.({ sealed, pruned: { ...retained, ...pruned } });
    },
    { connection, prefix, concurrency: 1 },
  );
  worker.on('error', onError);
  return {
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
