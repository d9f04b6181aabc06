import { describe, expect, it } from 'vitest';
import type { CloseVoteOutcome, DeadlineTarget } from '../../../src/app/deadlines.ts';
import type { VoteCloseStore, VoteCloseTx } from '../../../src/app/ports/schedule.ts';
import { createCloseBatcher } from '../../../workers/deadlines/close-batcher.ts';

const unknownOutcome = (t: DeadlineTarget): CloseVoteOutcome => ({
  kind: 'unchanged',
  number: t.number,
  state: 'unknown',
  reason: 'unknown',
});

/**
 * A store with no proposals (every close reads as `unknown`) that records the
 * size of each transaction, holds each open until released, and can fail.
 */
function recordingStore() {
  const batches: number[] = [];
  const gates: (() => void)[] = [];
  let failWhen: (size: number) => boolean = () => false;
  const store: VoteCloseStore = {
    dueVotes: async () => [],
    async transact(work) {
      const tx: VoteCloseTx = {
        lockProposals: async (targets) => {
          batches.push(targets.length);
          if (failWhen(targets.length)) throw new Error('batch failed');
          await new Promise<void>((resolve) => gates.push(resolve));
          return [];
        },
        communities: async () => [],
        ballotCounts: async () => new Map(),
        closeProposals: async () => {},
        appendAudits: async () => {},
        recordPublications: async () => {},
      };
      return work(tx);
    },
  };
  return {
    store,
    batches,
    release: () => {
      for (const open of gates.splice(0)) open();
    },
    failWhen: (when: (size: number) => boolean) => {
      failWhen = when;
    },
  };
}

const deps = (
  store: VoteCloseStore,
  closeOne = async (t: DeadlineTarget) => unknownOutcome(t),
) => ({
  clock: { now: () => new Date('2026-12-01T00:00:00Z') },
  ids: { next: () => 'id' },
  closer: store,
  closeOne,
});

const tick = () => new Promise((r) => setTimeout(r, 0));

describe('the close batcher', () => {
  it('sends a lone close at once and batches those that arrive while the slots are busy', async () => {
    const s = recordingStore();
    const batcher = createCloseBatcher(deps(s.store), { concurrency: 1, maxBatch: 3 });
    const targets = Array.from({ length: 6 }, (_, i) => ({ communityId: 'c', number: i + 1 }));
    const [lone, ...later] = targets;
    const outcomes = [batcher.close(lone as (typeof targets)[number])];
    await tick();
    expect(s.batches).toEqual([1]);
    outcomes.push(...later.map((t) => batcher.close(t)));
    await tick();
    expect(s.batches).toEqual([1]);
    s.release();
    await tick();
    expect(s.batches).toEqual([1, 3]);
    s.release();
    await tick();
    s.release();
    expect(await Promise.all(outcomes)).toEqual(targets.map(unknownOutcome));
    expect(s.batches).toEqual([1, 3, 2]);
  });

  it('closes each vote of a failed batch on its own', async () => {
    const s = recordingStore();
    s.failWhen((size) => size > 1);
    const alone: number[] = [];
    const batcher = createCloseBatcher(
      deps(s.store, async (t) => {
        alone.push(t.number);
        if (t.number === 3) throw new Error('vote 3 cannot close');
        return unknownOutcome(t);
      }),
      { concurrency: 1 },
    );
    const first = batcher.close({ communityId: 'c', number: 1 });
    await tick();
    // Settled as they come: the next batch runs (and fails) before the first one's close is handed out.
    const rest = Promise.allSettled(
      [2, 3, 4].map((number) => batcher.close({ communityId: 'c', number })),
    );
    await tick();
    s.release();
    await first;
    const settled = await rest;
    expect(settled.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect(alone.sort()).toEqual([2, 3, 4]);
  });

  it('answers the job of a vote it closed already (a sweep came first) without a transaction', async () => {
    const s = recordingStore();
    // Batches fail, so each vote closes on its own and reports closed.
    s.failWhen(() => true);
    const alone: number[] = [];
    const batcher = createCloseBatcher(
      deps(s.store, async (t) => {
        alone.push(t.number);
        return {
          kind: 'closed',
          number: t.number,
          result: 'passed',
          tally: { for: 6, against: 1, abstain: 1 },
          eligible: 10,
          publish: [],
        };
      }),
      { concurrency: 1 },
    );
    const swept = [7, 8].map((number) => batcher.close({ communityId: 'c', number }));
    expect((await Promise.all(swept)).map((o) => o.kind)).toEqual(['closed', 'closed']);
    const transactions = s.batches.length;
    // Vote 7's own job comes: closed already, nothing to lock.
    expect(await batcher.close({ communityId: 'c', number: 7 })).toEqual({
      kind: 'unchanged',
      number: 7,
      state: 'passed',
      reason: 'wrong_state',
    });
    expect(s.batches.length).toBe(transactions);
    expect(alone).toEqual([7, 8]);
    // The same number in another community is another vote: it goes to the database.
    await batcher.close({ communityId: 'd', number: 7 }).catch(() => undefined);
    expect(s.batches.length).toBe(transactions + 1);
    // The database lost the close (a failover to a standby behind): a sweep finds vote 7
    // open again and closes it, whatever this batcher remembers.
    let reads = 0;
    s.store.dueVotes = async () => (reads++ === 0 ? [{ communityId: 'c', number: 7 }] : []);
    batcher.sweep();
    for (let i = 0; i < 10 && s.batches.length === transactions + 1; i++) await tick();
    expect(s.batches.length).toBe(transactions + 2);
  });
});
