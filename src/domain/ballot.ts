/**
 * Ballot rules: which ballot counts when a voter already has one, and who may
 * relay a paper ballot. A resident's own chat ballot always beats a relayed
 * one; a relayed ballot never overrides the resident's own.
 */
import type { BallotCounts } from './tally.ts';

export type BallotChoice = 'for' | 'against' | 'abstain';

export const BALLOT_CHOICES: readonly BallotChoice[] = ['for', 'against', 'abstain'];

/** A ballot as it counts: cast in chat by the voter, or relayed by their representative. */
export type BallotCast =
  | { readonly channel: 'chat'; readonly choice: BallotChoice }
  | {
      readonly channel: 'relay';
      readonly choice: BallotChoice;
      readonly representativeId: string;
      /** The paper ballot's reference, as written on it. */
      readonly reference: string;
    };

export type BallotDecision =
  /** No ballot yet: store this one. */
  | { readonly kind: 'recorded' }
  /** Same channel (and same representative), another choice: replace, keep the old in history. */
  | { readonly kind: 'changed'; readonly previous: BallotCast }
  /** Same choice through the same channel: nothing to store. */
  | { readonly kind: 'unchanged' }
  /** The voter's own chat ballot replaces a relayed one; keep the relayed one in history. */
  | { readonly kind: 'superseded_relay'; readonly previous: BallotCast }
  /** A relay never overrides the voter's own chat ballot. */
  | { readonly kind: 'relay_refused_own_ballot' }
  /** Another representative already relayed this voter's ballot; they may change it. */
  | { readonly kind: 'relay_refused_other_representative'; readonly representativeId: string };

/**
 * Decides what an incoming ballot does, given the voter's current ballot
 * (or `null`) in the same vote.
 */
export function decideBallot(current: BallotCast | null, incoming: BallotCast): BallotDecision {
  if (current === null) return { kind: 'recorded' };
  if (incoming.channel === 'chat') {
    if (current.channel === 'relay') return { kind: 'superseded_relay', previous: current };
    return current.choice === incoming.choice
      ? { kind: 'unchanged' }
      : { kind: 'changed', previous: current };
  }
  if (current.channel === 'chat') return { kind: 'relay_refused_own_ballot' };
  if (current.representativeId !== incoming.representativeId) {
    return {
      kind: 'relay_refused_other_representative',
      representativeId: current.representativeId,
    };
  }
  // A corrected paper reference with the same choice is still the same ballot.
  return current.choice === incoming.choice
    ? { kind: 'unchanged' }
    : { kind: 'changed', previous: current };
}

export type RelayEligibility =
  | { readonly kind: 'allowed' }
  | { readonly kind: 'not_representative' }
  | {
      readonly kind: 'other_building';
      /** The building the representative represents. */
      readonly representativeBuildingId: string;
      readonly householdBuildingId: string;
    };

/**
 * Whether a resident may relay a paper ballot for a household: only a
 * representative, and only for a household of the building they represent.
 */
export function checkRelayEligibility(
  relayer: { readonly representativeOfBuildingId: string | null },
  household: { readonly buildingId: string },
): RelayEligibility {
  const representativeBuildingId = relayer.representativeOfBuildingId;
  if (representativeBuildingId === null) return { kind: 'not_representative' };
  if (representativeBuildingId !== household.buildingId) {
    return {
      kind: 'other_building',
      representativeBuildingId,
      householdBuildingId: household.buildingId,
    };
  }
  return { kind: 'allowed' };
}

/** Counts ballots by choice (the ballots that count, one per voter). */
export function countBallots(ballots: Iterable<{ readonly choice: BallotChoice }>): BallotCounts {
  const counts = { for: 0, against: 0, abstain: 0 };
  for (const ballot of ballots) counts[ballot.choice] += 1;
  return counts;
}
