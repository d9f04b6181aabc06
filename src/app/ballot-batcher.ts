/**
 * Gathers ballots into group commits (cast-votes.ts): while `concurrency`
 * batches are in flight, ballots that arrive wait and go together in the
 * next one, up to `maxBatch`. A quiet gateway therefore commits each ballot
 * at once, alone; a busy one pays one proposal lock, one eligibility read and
 * one commit per batch instead of per ballot.
 *
 * A batch that fails is not every ballot's failure: its ballots run again one
 * by one (castVote), so a ballot the database refuses fails alone and the
 * others are recorded. Nothing of the failed batch was committed.
 */
import { type CastVoteOutcome, castVote } from './cast-vote.ts';
import { castVotes, type VoteInput } from './cast-votes.ts';
import type { CoreDeps } from './core.ts';
import type { BallotBatchStore } from './ports/store.ts';

export type BallotBatcherOptions = {
  /** Ballots per transaction at most. Default 200. */
  maxBatch?: number;
  /** Batches in flight at once (each holds a database connection). Default 4. */
  concurrency?: number;
};

export type BallotBatcher = {
  /** castVote, committed together with the ballots around it. */
  cast(input: VoteInput): Promise<CastVoteOutcome>;
};

type Waiting = {
  input: VoteInput & { idempotencyKey: string };
  resolve: (outcome: CastVoteOutcome) => void;
  reject: (error: unknown) => void;
};

export function ballotBatcher(
  deps: CoreDeps,
  store: BallotBatchStore,
  options: BallotBatcherOptions = {},
): BallotBatcher {
  const maxBatch = options.maxBatch ?? 200;
  const concurrency = options.concurrency ?? 4;
  const queue: Waiting[] = [];
  let inFlight = 0;
  let pumping = false;

  const settle = (waiting: readonly Waiting[], run: () => Promise<CastVoteOutcome>) =>
    run().then(
      (outcome) => {
        for (const w of waiting) w.resolve(outcome);
      },
      (error: unknown) => {
        for (const w of waiting) w.reject(error);
      },
    );

  async function commit(batch: readonly Waiting[]): Promise<void> {
    // A redelivery in the same batch as its original shares the original's outcome.
    const byKey = new Map<string, Waiting[]>();
    for (const w of batch) {
      const same = byKey.get(w.input.idempotencyKey);
      if (same) same.push(w);
      else byKey.set(w.input.idempotencyKey, [w]);
    }
    const groups = [...byKey.values()];
    const inputs = groups.map(([first]) => {
      if (!first) throw new Error('empty ballot group');
      return first.input;
    });
    let outcomes: CastVoteOutcome[];
    try {
      outcomes = await castVotes(deps, store, inputs);
    } catch (error) {
      if (groups.length === 1) {
        for (const w of batch) w.reject(error);
        return;
      }
      await Promise.all(
        groups.map((group, i) => settle(group, () => castVote(deps, inputs[i] as VoteInput))),
      );
      return;
    }
    groups.forEach((group, i) => {
      const outcome = outcomes[i];
      for (const w of group) {
        if (outcome) w.resolve(outcome);
        else w.reject(new Error(`ballot ${w.input.idempotencyKey} has no outcome`));
      }
    });
  }

  function pump(): void {
    pumping = false;
    while (inFlight < concurrency && queue.length > 0) {
      const batch = queue.splice(0, maxBatch);
      inFlight += 1;
      void commit(batch).finally(() => {
        inFlight -= 1;
        pump();
      });
    }
  }

  return {
    cast(input) {
      const { idempotencyKey } = input;
      // Without a key a retry could not be told from a second ballot: alone, as before.
      if (idempotencyKey === undefined) return castVote(deps, input);
      return new Promise<CastVoteOutcome>((resolve, reject) => {
        queue.push({ input: { ...input, idempotencyKey }, resolve, reject });
        // Ballots arriving in the same turn of the event loop start together.
        if (!pumping && inFlight < concurrency) {
          pumping = true;
          setImmediate(pump);
        }
      });
    },
  };
}
