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
import { type GroupCommitOptions, groupCommit } from '../../src/app/group-commit.ts';

type ClosedResult = (CloseVoteOutcome & { kind: 'closed' })['result'];

export type CloseBatcher = {
  /** Closes one vote (with whichever others are due now); its outcome as `closeVote` gives it. */
  close(target: DeadlineTarget): Promise<CloseVoteOutcome>;
  /**
   * Closes every other vote already due, from PostgreSQL, without waiting for
   * each one's job: a storm of votes due at one instant would otherwise close
   * at the pace BullMQ hands out their jobs. Their jobs, when they come, find
   * the vote closed. One sweep at a time; a call during a sweep runs it again.
   */
  sweep(): void;
};

/** Due votes read per round of a sweep. */
const SWEEP_PAGE = 1_000;
/** Closed votes remembered: more than a storm's worth, a few MB at most. */
const CLOSED_KEPT = 50_000;
/** How long a close is remembered: a storm's own jobs come within seconds. */
const CLOSED_KEPT_MS = 5 * 60_000;

export function createCloseBatcher(
  deps: CloseVotesDeps & {
    /** Closes one vote on its own: the fallback when its batch failed. */
    closeOne(target: DeadlineTarget): Promise<CloseVoteOutcome>;
    /** Told when a sweep fails (the votes' own jobs still close them). */
    onSweepError?: (error: unknown) => void;
  },
  // Two in flight by default: one batch is read while the other commits.
  options: GroupCommitOptions = {},
): CloseBatcher {
  const batched = groupCommit<DeadlineTarget, CloseVoteOutcome>(
    (targets) => closeVotes(deps, targets),
    (target) => deps.closeOne(target),
    options,
  );
  // Votes this batcher closed lately. A closed vote never votes again, so when its own job
  // comes after a sweep closed it, the answer is known without a transaction: in a storm
  // those 10,000 redundant transactions each locked rows the sweep's batches were closing.
  // Only lately: a database that lost committed work (a failover to a standby behind, a
  // restore) has the vote open again, and its job must then close it.
  const closedHere = new Map<string, { result: ClosedResult; atMs: number }>();
  const keyOf = (target: DeadlineTarget) => `${target.communityId}/${target.number}`;
  async function closeAndRemember(target: DeadlineTarget): Promise<CloseVoteOutcome> {
    const outcome = await batched(target);
    if (outcome.kind === 'closed') {
      if (closedHere.size >= CLOSED_KEPT) {
        const oldest = closedHere.keys().next();
        if (!oldest.done) closedHere.delete(oldest.value);
      }
      closedHere.set(keyOf(target), { result: outcome.result, atMs: deps.clock.now().getTime() });
    }
    return outcome;
  }
  async function close(target: DeadlineTarget): Promise<CloseVoteOutcome> {
    const known = closedHere.get(keyOf(target));
    if (known && deps.clock.now().getTime() - known.atMs < CLOSED_KEPT_MS) {
      return {
        kind: 'unchanged',
        number: target.number,
        state: known.result,
        reason: 'wrong_state',
      };
    }
    return closeAndRemember(target);
  }
  let sweeping = false;
  let again = false;

  async function sweepRounds(): Promise<void> {
    do {
      again = false;
      for (;;) {
        const due = await deps.closer.dueVotes(deps.clock.now(), SWEEP_PAGE);
        // Not from memory: the database says these are open, whatever this process closed.
        const outcomes = await Promise.all(due.map((target) => closeAndRemember(target)));
        // A vote that is due but does not close (another worker's lock, a rule) must not spin.
        if (due.length < SWEEP_PAGE || !outcomes.some((o) => o.kind === 'closed')) break;
      }
    } while (again);
  }

  return {
    close,
    sweep() {
      if (sweeping) {
        again = true;
        return;
      }
      sweeping = true;
      sweepRounds()
        .catch((error: unknown) => deps.onSweepError?.(error))
        .finally(() => {
          sweeping = false;
        });
    },
  };
}
