/**
 * A transition job that wakes a moment before its time is run again at that
 * time, even when the clock crosses the due time while the use case runs:
 * taking it for a moved deadline would leave the vote unopened (or unclosed)
 * until the reconciler's next pass, a minute later.
 */
import { describe, expect, it } from 'vitest';
import type { Clock } from '../../../src/app/ports/clock.ts';
import type { CloseBatcher } from '../../../workers/deadlines/close-batcher.ts';
import { type DeadlineDeps, processDeadline } from '../../../workers/deadlines/processors.ts';
import type { DeadlineJob } from '../../../workers/queues.ts';

const DUE_MS = Date.parse('2026-11-30T01:05:00Z');

/** A clock that reads `times` in turn, then stays on the last. */
function steppingClock(times: readonly number[]): Clock {
  let read = 0;
  return { now: () => new Date(times[Math.min(read++, times.length - 1)] ?? 0) };
}

function depsWith(clock: Clock): DeadlineDeps {
  // The close is refused as "not yet" (the use case read the clock before the due time).
  const closes: CloseBatcher = {
    close: async () => ({ kind: 'unchanged', number: 1, state: 'voting', reason: 'not_yet' }),
    sweep: () => {},
  };
  // Only the clock and the close are reached on this path.
  return { core: { clock }, closes } as unknown as DeadlineDeps;
}

const job: DeadlineJob = {
  type: 'vote_close',
  subjectId: 'p1',
  communityId: 'c1',
  number: 1,
  dueAtMs: DUE_MS,
  detail: null,
};

describe('a vote close that fires a moment early', () => {
  it('is run again at its time when the clock passes it during the check', async () => {
    const result = await processDeadline(
      depsWith(steppingClock([DUE_MS - 3, DUE_MS + 2])),
      job,
      'v1-close-p1',
    );
    expect(result).toEqual({ kind: 'early', dueAtMs: DUE_MS });
  });

  it('is superseded when "not yet" comes at or after its own time (the deadline moved later)', async () => {
    const result = await processDeadline(depsWith(steppingClock([DUE_MS + 1])), job, 'v1-close-p1');
    expect(result).toEqual({ kind: 'superseded' });
  });
});
