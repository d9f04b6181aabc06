/**
 * The result of a closed vote: quorum on turnout, then the pass mark on the
 * ballots cast. Integer arithmetic only, so the boundaries are exact.
 */
import type { Policy } from './policy.ts';
import { ceilShare } from './ratio.ts';

/** Ballot counts by choice, whole numbers >= 0. */
export type BallotCounts = {
  readonly for: number;
  readonly against: number;
  readonly abstain: number;
};

export type TallyResult = {
  readonly kind: 'no_quorum' | 'passed' | 'rejected';
  readonly counts: BallotCounts;
  /** Ballots cast (abstentions included) and the eligible voters snapshotted at opening. */
  readonly turnout: { readonly ballots: number; readonly eligible: number };
  /** Ballots needed for quorum: ceil(quorumRatio × eligible), at least 1. */
  readonly quorumNeeded: number;
  readonly quorumMet: boolean;
  /** `for` ballots needed to pass: ceil(passRatio × ballots), at least 1. */
  readonly forNeeded: number;
};

/**
 * Tallies a vote. `no_quorum` when fewer than `quorumNeeded` ballots were
 * cast (so always when `eligibleCount` is 0); otherwise `passed` when
 * `for >= forNeeded`, else `rejected`. 7 of 10 meets a 70% quorum, 6 does
 * not; 6 `for` of 9 ballots passes 2/3, 5 does not; 2/3 of 100 needs 67.
 */
export function tally(
  counts: BallotCounts,
  eligibleCount: number,
  policy: Pick<Policy, 'quorumRatio' | 'passRatio'>,
): TallyResult {
  for (const value of [counts.for, counts.against, counts.abstain, eligibleCount]) {
    if (!Number.isSafeInteger(value) || value < 0) {
      throw new RangeError(
        `tally needs whole counts >= 0, got ${JSON.stringify({ counts, eligibleCount })}`,
      );
    }
  }
  const ballots = counts.for + counts.against + counts.abstain;
  // At least one ballot and one `for`: a 0% quorum or pass mark must not pass an empty vote.
  const quorumNeeded = Math.max(1, ceilShare(policy.quorumRatio, eligibleCount));
  const forNeeded = Math.max(1, ceilShare(policy.passRatio, ballots));
  const quorumMet = eligibleCount > 0 && ballots >= quorumNeeded;
  const kind = !quorumMet ? 'no_quorum' : counts.for >= forNeeded ? 'passed' : 'rejected';
  return {
    kind,
    counts,
    turnout: { ballots, eligible: eligibleCount },
    quorumNeeded,
    quorumMet,
    forNeeded,
  };
}
