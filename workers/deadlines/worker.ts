/**
 * The BullMQ worker of the deadlines queue. Payloads are zod-parsed; a job
 * woken a little before its time (as the scheduler plans it) waits here until
 * then; one that fires earlier still (clocks apart) is moved back to its due
 * time instead of acting. Stall settings are options so a crash test can use
 * short ones.
 */
import { setTimeout as sleep } from 'node:timers/promises';

import type { ConnectionOptions } from 'bullmq';
import { DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import { DEADLINES_QUEUE, type DeadlineJob, DeadlineJobSchema } from '../queues.ts';
import { type DeadlineDeps, type DeadlineResult, processDeadline } from './processors.ts';
import { DEADLINE_EARLY_WAKE_MS } from './scheduler.ts';

/** A job this close to its time waits in the process rather than going back to Redis. */
const WAIT_IN_PROCESS_MS = 2 * DEADLINE_EARLY_WAKE_MS;

export type DeadlineWorkerOptions = {
  connection: ConnectionOptions;
  prefix: string;
  /**
   * Jobs run in parallel per process. Default 128: each is short, and vote
   * closes in flight together are batched into one transaction.
   */
  concurrency?: number;
  /** How often stalled jobs (their worker died) are looked for. Default 30 s. */
  stalledIntervalMs?: number;
  /** How long a job's lock lasts without renewal: a dead worker's job stalls after this. Default 30 s. */
  lockDurationMs?: number;
};

export function startDeadlineWorker(
  deps: DeadlineDeps,
  options: DeadlineWorkerOptions,
): Worker<DeadlineJob, DeadlineResult> {
  const worker = new Worker<DeadlineJob, DeadlineResult>(
    DEADLINES_QUEUE,
    async (job: Job<DeadlineJob, DeadlineResult>, token?: string) => {
      const parsed = DeadlineJobSchema.safeParse(job.data);
      // A malformed payload will not get better by retrying.
      if (!parsed.success)
        throw new UnrecoverableError(`bad deadline job: ${parsed.error.message}`);
      const data = parsed.data;
      const jobId = job.id ?? '';
      // Until just past its time: a timer may fire a millisecond early, and a deadline
      // found "not yet" by a clock that then passes it reads as moved, not as early.
      for (let tries = 0; tries < 3; tries++) {
        const ahead = data.dueAtMs - deps.core.clock.now().getTime();
        if (ahead < 0 || ahead > WAIT_IN_PROCESS_MS) break;
        await sleep(ahead + 1);
      }
      const result = await processDeadline(deps, data, jobId);
      if (result.kind === 'early') {
        await job.moveToDelayed(result.dueAtMs, token);
        throw new DelayedError();
      }
      deps.log.info(
        { jobId, type: data.type, result: result.kind, ...('outcome' in result ? result : {}) },
        'deadline processed',
      );
      return result;
    },
    {
      connection: options.connection,
      prefix: options.prefix,
      concurrency: options.concurrency ?? 128,
      stalledInterval: options.stalledIntervalMs ?? 30_000,
      lockDuration: options.lockDurationMs ?? 30_000,
      // A stalled job is retried once more before it fails (and the reconciler re-adds it).
      maxStalledCount: 2,
    },
  );
  worker.on('failed', (job, error) => {
    deps.log.error({ jobId: job?.id, error: error.message }, 'deadline job failed');
  });
  worker.on('error', (error) => {
    deps.log.error({ error: error.message }, 'deadline worker error');
  });
  return worker;
}
