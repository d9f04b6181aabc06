/**
 * Group commit for vote closes. Each vote_close job still asks for its own
 * vote and gets its own outcome, but the jobs running at the same moment are
 * closed together in one transaction (src/app/deadlines.ts `closeVotes`):
 * a storm of 10,000 votes due at one instant was bound by one transaction of
 * eight statements per vote, each costing Prisma CPU in this process and a
 * commit (an fsync) in PostgreSQL.
 *
 * Nothing waits for a batch to fill: a close goes out at once when a batch
 * slot is free, and the closes that arrive while the slots are busy form the
 * next batch. A lone deadline is therefore as prompt as before.
 *
 * Should a batch fail, its closes are retried one by one, so one vote that
 * cannot close never holds back the others (and a database outage still
 * fails each job, for BullMQ to retry).
 */
import type { CloseVoteOutcome, CloseVotesDeps, DeadlineTarget } from '../../src/app/deadlines.ts';
import { closeVotes } from '../../src/app/deadlines.ts';

export type CloseBatcher = {
  /** Closes one vote (with whichever others are due now); its outcome as `closeVote` gives it. */
  close(target: DeadlineTarget): Promise<CloseVoteOutcome>;
};

export type CloseBatcherOptions = {
  /** Votes per transaction at most. Default 200. */
  maxBatch?: number;
  /** Batch transactions in flight at once. Default 2 (one is read while the other commits). */
  parallel?: number;
};

type Waiting = {
  target: DeadlineTarget;
  resolve(outcome: CloseVoteOutcome): void;
  reject(error: unknown): void;
};

export function createCloseBatcher(
  deps: CloseVotesDeps & {
    /** Closes one vote on its own: the fallback when its batch failed. */
    closeOne(target: DeadlineTarget): Promise<CloseVoteOutcome>;
  },
  options: CloseBatcherOptions = {},
): CloseBatcher {
  const maxBatch = options.maxBatch ?? 200;
  const parallel = options.parallel ?? 2;
  const queue: Waiting[] = [];
  let running = 0;

  async function run(batch: Waiting[]): Promise<void> {
    try {
      const outcomes = await closeVotes(
        deps,
        batch.map((w) => w.target),
      );
      batch.forEach((w, i) => {
        const outcome = outcomes[i];
        if (outcome) w.resolve(outcome);
        else w.reject(new Error('closeVotes returned fewer outcomes than targets'));
      });
    } catch (error) {
      if (batch.length === 1) {
        batch[0]?.reject(error);
        return;
      }
      await Promise.all(batch.map((w) => deps.closeOne(w.target).then(w.resolve, w.reject)));
    }
  }

  function pump(): void {
    while (running < parallel && queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      running++;
      void run(batch).finally(() => {
        running--;
        pump();
      });
    }
  }

  return {
    close(target) {
      return new Promise<CloseVoteOutcome>((resolve, reject) => {
        queue.push({ target, resolve, reject });
        pump();
      });
    },
  };
}
