/**
 * The proposal state machine (议题): collecting → agenda → noticed → voting →
 * passed | rejected | no_quorum, or collecting → expired, or → withdrawn.
 * Every transition is a pure function of (state, event, now, policy) that
 * returns a tagged outcome; the ones that change state carry `next`, which
 * the caller persists as it is.
 */
import type { Policy } from './policy.ts';
import { ceilShare } from './ratio.ts';
import { type BallotCounts, type TallyResult, tally } from './tally.ts';

export type ProposalStatus =
  | 'collecting'
  | 'agenda'
  | 'noticed'
  | 'voting'
  | 'passed'
  | 'rejected'
  | 'no_quorum'
  | 'expired'
  | 'withdrawn';

/** States after which nothing more happens to a proposal. */
export const FINAL_PROPOSAL_STATES: ReadonlySet<ProposalStatus> = new Set([
  'passed',
  'rejected',
  'no_quorum',
  'expired',
  'withdrawn',
]);

/** What the rules need to know about a proposal. Nullable times are unset until reached. */
export type ProposalState = {
  readonly state: ProposalStatus;
  readonly authorId: string;
  readonly createdAt: Date;
  /** End of the co-sign window (exclusive): createdAt + cosignWindow. */
  readonly cosignDeadline: Date;
  /** When the co-sign threshold was reached. */
  readonly agendaAt: Date | null;
  readonly votingOpensAt: Date | null;
  /** End of voting (exclusive). */
  readonly votingClosesAt: Date | null;
  /** When the proposal reached a final state. */
  readonly closedAt: Date | null;
};

type Next = { readonly next: ProposalState };
type WrongState = { readonly kind: 'wrong_state'; readonly state: ProposalStatus };

function addMs(at: Date, ms: number): Date {
  return new Date(at.getTime() + ms);
}

// A stored proposal in these states always has these times; a gap is a bug, not an outcome.
function required(value: Date | null, field: string, p: ProposalState): Date {
  if (value === null) throw new Error(`proposal in state ${p.state} has no ${field}`);
  return value;
}

/**
 * A new proposal, collecting co-signs until `now + cosignWindow`. The author
 * is the first co-signer: store their co-sign and call {@link applyCosign}
 * with `cosignCount: 1`, which may already reach the agenda in a tiny
 * community.
 */
export function newProposal(authorId: string, now: Date, policy: Policy): ProposalState {
  return {
    state: 'collecting',
    authorId,
    createdAt: now,
    cosignDeadline: addMs(now, policy.cosignWindowMs),
    agendaAt: null,
    votingOpensAt: null,
    votingClosesAt: null,
    closedAt: null,
  };
}

/** Co-signs needed for the agenda: ceil(cosignRatio × eligible voters), at least 1. */
export function cosignThreshold(eligibleCount: number, policy: Policy): number {
  return Math.max(1, ceilShare(policy.cosignRatio, eligibleCount));
}

export type CosignWindow =
  | { readonly kind: 'open' }
  | { readonly kind: 'not_collecting'; readonly state: ProposalStatus }
  | { readonly kind: 'window_closed'; readonly cosignDeadline: Date };

/** Whether a co-sign may be stored now: check before storing, then {@link applyCosign}. */
export function checkCosignWindow(p: ProposalState, now: Date): CosignWindow {
  if (p.state !== 'collecting') return { kind: 'not_collecting', state: p.state };
  if (now >= p.cosignDeadline) return { kind: 'window_closed', cosignDeadline: p.cosignDeadline };
  return { kind: 'open' };
}

export type CosignOutcome =
  | { readonly kind: 'counted'; readonly cosignCount: number; readonly threshold: number }
  | ({
      readonly kind: 'agenda_reached';
      readonly cosignCount: number;
      readonly threshold: number;
      readonly agendaAt: Date;
      readonly votingOpensAt: Date;
      readonly votingClosesAt: Date;
    } & Next)
  | Exclude<CosignWindow, { kind: 'open' }>;

/**
 * Applies a co-sign already stored. `cosignCount` is the count after adding
 * it, `eligibleCount` the current eligible voters. On reaching the threshold
 * the proposal goes straight to `noticed`, the vote scheduled at
 * `now + noticePeriod` for `votingWindow`. Evaluated under the proposal's
 * row lock, only the first co-sign to reach the threshold sees
 * `agenda_reached`; later ones see `not_collecting`.
 */
export function applyCosign(
  p: ProposalState,
  counts: { readonly eligibleCount: number; readonly cosignCount: number },
  now: Date,
  policy: Policy,
): CosignOutcome {
  const window = checkCosignWindow(p, now);
  if (window.kind !== 'open') return window;
  const threshold = cosignThreshold(counts.eligibleCount, policy);
  if (counts.cosignCount < threshold) {
    return { kind: 'counted', cosignCount: counts.cosignCount, threshold };
  }
  const votingOpensAt = addMs(now, policy.noticePeriodMs);
  const votingClosesAt = addMs(votingOpensAt, policy.votingWindowMs);
  return {
    kind: 'agenda_reached',
    cosignCount: counts.cosignCount,
    threshold,
    agendaAt: now,
    votingOpensAt,
    votingClosesAt,
    next: { ...p, state: 'noticed', agendaAt: now, votingOpensAt, votingClosesAt },
  };
}

export type ScheduleOutcome =
  | ({
      readonly kind: 'scheduled';
      readonly votingOpensAt: Date;
      readonly votingClosesAt: Date;
    } & Next)
  | { readonly kind: 'too_early'; readonly earliestAt: Date }
  | WrongState;

/** The earliest the vote may open: agendaAt + noticePeriod, and not in the past. */
export function earliestOpening(p: ProposalState, now: Date, policy: Policy): Date {
  const afterNotice = addMs(required(p.agendaAt, 'agendaAt', p), policy.noticePeriodMs);
  return afterNotice > now ? afterNotice : now;
}

/**
 * The committee sets the vote opening (states `agenda` or `noticed`). It may
 * move it later, never earlier than {@link earliestOpening}; `too_early`
 * names that earliest time.
 */
export function schedule(
  p: ProposalState,
  opensAt: Date,
  now: Date,
  policy: Policy,
): ScheduleOutcome {
  if (p.state !== 'agenda' && p.state !== 'noticed') return { kind: 'wrong_state', state: p.state };
  const earliestAt = earliestOpening(p, now, policy);
  if (opensAt < earliestAt) return { kind: 'too_early', earliestAt };
  const votingClosesAt = addMs(opensAt, policy.votingWindowMs);
  return {
    kind: 'scheduled',
    votingOpensAt: opensAt,
    votingClosesAt,
    next: { ...p, state: 'noticed', votingOpensAt: opensAt, votingClosesAt },
  };
}

export type OpenVotingOutcome =
  | ({ readonly kind: 'opened'; readonly votingClosesAt: Date } & Next)
  | { readonly kind: 'not_yet'; readonly votingOpensAt: Date }
  | WrongState;

/**
 * Opens voting once `now >= votingOpensAt`; it closes at
 * `votingOpensAt + votingWindow` (the announced time, even if opening runs late).
 * The caller snapshots the eligible voters at this moment.
 */
export function openVoting(p: ProposalState, now: Date, policy: Policy): OpenVotingOutcome {
  if (p.state !== 'noticed') return { kind: 'wrong_state', state: p.state };
  const votingOpensAt = required(p.votingOpensAt, 'votingOpensAt', p);
  if (now < votingOpensAt) return { kind: 'not_yet', votingOpensAt };
  const votingClosesAt = addMs(votingOpensAt, policy.votingWindowMs);
  return { kind: 'opened', votingClosesAt, next: { ...p, state: 'voting', votingClosesAt } };
}

export type BallotWindow =
  | { readonly kind: 'open'; readonly votingClosesAt: Date }
  | { readonly kind: 'not_open'; readonly state: ProposalStatus }
  | { readonly kind: 'closed'; readonly votingClosesAt: Date };

/** Whether a ballot may be cast or changed now (voting, and before the close time). */
export function checkBallotWindow(p: ProposalState, now: Date): BallotWindow {
  if (p.state !== 'voting') return { kind: 'not_open', state: p.state };
  const votingClosesAt = required(p.votingClosesAt, 'votingClosesAt', p);
  return now < votingClosesAt
    ? { kind: 'open', votingClosesAt }
    : { kind: 'closed', votingClosesAt };
}

export type ExpireOutcome =
  | ({ readonly kind: 'expired' } & Next)
  | { readonly kind: 'not_yet'; readonly cosignDeadline: Date }
  | WrongState;

/** A proposal still collecting at its co-sign deadline expires. */
export function expire(p: ProposalState, now: Date): ExpireOutcome {
  if (p.state !== 'collecting') return { kind: 'wrong_state', state: p.state };
  if (now < p.cosignDeadline) return { kind: 'not_yet', cosignDeadline: p.cosignDeadline };
  return { kind: 'expired', next: { ...p, state: 'expired', closedAt: now } };
}

/** Who asks to withdraw: a resident id and whether they sit on the committee. */
export type WithdrawActor = { readonly residentId: string; readonly isCommittee: boolean };

export type WithdrawOutcome =
  | ({ readonly kind: 'withdrawn' } & Next)
  | { readonly kind: 'not_author_or_committee' }
  /** The author may withdraw only while collecting; after that, ask the committee. */
  | { readonly kind: 'author_after_collecting'; readonly state: ProposalStatus }
  | WrongState;

/**
 * Withdraws a proposal before its vote: the author while collecting, the
 * committee while collecting, on the agenda or noticed. Never once voting
 * has opened.
 */
export function withdraw(p: ProposalState, actor: WithdrawActor, now: Date): WithdrawOutcome {
  if (p.state !== 'collecting' && p.state !== 'agenda' && p.state !== 'noticed') {
    return { kind: 'wrong_state', state: p.state };
  }
  const isAuthor = actor.residentId === p.authorId;
  if (!actor.isCommittee && !isAuthor) return { kind: 'not_author_or_committee' };
  if (!actor.isCommittee && p.state !== 'collecting') {
    return { kind: 'author_after_collecting', state: p.state };
  }
  return { kind: 'withdrawn', next: { ...p, state: 'withdrawn', closedAt: now } };
}

export type CloseVotingOutcome =
  | ({ readonly kind: 'closed'; readonly result: TallyResult } & Next)
  | { readonly kind: 'not_yet'; readonly votingClosesAt: Date }
  | WrongState;

/**
 * Closes voting once `now >= votingClosesAt` and tallies it against the
 * eligible voters snapshotted at opening; `next.state` is the tally's kind.
 */
export function closeVoting(
  p: ProposalState,
  votes: { readonly counts: BallotCounts; readonly eligibleCount: number },
  now: Date,
  policy: Policy,
): CloseVotingOutcome {
  if (p.state !== 'voting') return { kind: 'wrong_state', state: p.state };
  const votingClosesAt = required(p.votingClosesAt, 'votingClosesAt', p);
  if (now < votingClosesAt) return { kind: 'not_yet', votingClosesAt };
  const result = tally(votes.counts, votes.eligibleCount, policy);
  return { kind: 'closed', result, next: { ...p, state: result.kind, closedAt: now } };
}
