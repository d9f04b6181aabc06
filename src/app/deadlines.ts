/**
 * Deadline use cases the workers call when a time passes: open a vote, close
 * it, expire an unsupported proposal. Each re-reads the proposal under a lock
 * and does nothing when the state has moved on, so a late or repeated job
 * never decides an outcome twice.
 */

import { closeVoting, expire, openVoting } from '../domain/proposal.ts';
import { type CoreDeps, communityPolicy, type Publication, transition } from './core.ts';
import type { DeliberationTx, ProposalRecord, ProposalStateName } from './ports.ts';

export type DeadlineTarget = { communityId: string; number: number };

type Moved = {
  kind: 'unchanged';
  number: number;
  state: ProposalStateName | 'unknown';
  reason: 'wrong_state' | 'not_yet' | 'unknown';
};

async function load(tx: DeliberationTx, target: DeadlineTarget) {
  const p = await tx.proposal(target.communityId, target.number, 'update');
  if (!p) return undefined;
  const community = await tx.community(p.communityId);
  return { p, policy: communityPolicy(community) };
}

const unknown = (t: DeadlineTarget): Moved => ({
  kind: 'unchanged',
  number: t.number,
  state: 'unknown',
  reason: 'unknown',
});
const unchanged = (p: ProposalRecord, reason: 'wrong_state' | 'not_yet'): Moved => ({
  kind: 'unchanged',
  number: p.number,
  state: p.state,
  reason,
});

export type OpenVoteOutcome =
  | {
      kind: 'opened';
      number: number;
      eligible: number;
      votingClosesAt: string;
      publish: Publication[];
    }
  | Moved;

/** Opens voting at the end of the notice period and fixes who may vote. */
export async function openVote(deps: CoreDeps, target: DeadlineTarget): Promise<OpenVoteOutcome> {
  const now = deps.clock.now();
  return transition(deps, now, async (tx): Promise<OpenVoteOutcome> => {
    const loaded = await load(tx, target);
    if (!loaded) return unknown(target);
    const { p, policy } = loaded;
    const decision = openVoting(p, now, policy);
    if (decision.kind !== 'opened') return unchanged(p, decision.kind);
    const voters = await tx.voters(p.communityId, policy.voterUnit);
    await tx.snapshotEligibility(p.id, voters);
    await tx.updateProposal(p.id, {
      state: 'voting',
      votingClosesAt: decision.votingClosesAt,
      eligibleCount: voters.length,
    });
    await tx.appendAudit({
      communityId: p.communityId,
      actor: 'system',
      action: 'vote.opened',
      subject: `proposal:${p.id}`,
      payload: { eligible: voters.length, votingClosesAt: decision.votingClosesAt },
      at: now,
    });
    return {
      kind: 'opened',
      number: p.number,
      eligible: voters.length,
      votingClosesAt: decision.votingClosesAt.toISOString(),
      // The proposal card follows too, so it no longer announces a vote that has begun.
      publish: [
        { kind: 'vote_card', communityId: p.communityId, number: p.number },
        { kind: 'proposal_card', communityId: p.communityId, number: p.number },
      ],
    };
  });
}

export type CloseVoteOutcome =
  | {
      kind: 'closed';
      number: number;
      result: 'passed' | 'rejected' | 'no_quorum';
      tally: { for: number; against: number; abstain: number };
      eligible: number;
      publish: Publication[];
    }
  | Moved;

/** Closes a vote at its closing time and records the result from the counted ballots. */
export async function closeVote(deps: CoreDeps, target: DeadlineTarget): Promise<CloseVoteOutcome> {
  const now = deps.clock.now();
  return transition(deps, now, async (tx): Promise<CloseVoteOutcome> => {
    const loaded = await load(tx, target);
    if (!loaded) return unknown(target);
    const { p, policy } = loaded;
    const counts = await tx.ballotCounts(p.id);
    const eligible = p.eligibleCount ?? 0;
    const decision = closeVoting(p, { counts, eligibleCount: eligible }, now, policy);
    if (decision.kind !== 'closed') return unchanged(p, decision.kind);
    const result = decision.result.kind;
    await tx.updateProposal(p.id, { state: result, closedAt: now, tally: counts });
    await tx.appendAudit({
      communityId: p.communityId,
      actor: 'system',
      action: 'vote.closed',
      subject: `proposal:${p.id}`,
      payload: { result, tally: counts, eligible },
      at: now,
    });
    return {
      kind: 'closed',
      number: p.number,
      result,
      tally: counts,
      eligible,
      // The vote card follows too, so its ballot buttons disappear once the vote has closed.
      publish: [
        { kind: 'result_card', communityId: p.communityId, number: p.number },
        { kind: 'vote_card', communityId: p.communityId, number: p.number },
      ],
    };
  });
}

export type ExpireOutcome = { kind: 'expired'; number: number; publish: Publication[] } | Moved;

/** Ends a proposal that did not gather enough co-signs within its window. */
export async function expireProposal(
  deps: CoreDeps,
  target: DeadlineTarget,
): Promise<ExpireOutcome> {
  const now = deps.clock.now();
  return transition(deps, now, async (tx): Promise<ExpireOutcome> => {
    const loaded = await load(tx, target);
    if (!loaded) return unknown(target);
    const { p } = loaded;
    const decision = expire(p, now);
    if (decision.kind !== 'expired') return unchanged(p, decision.kind);
    await tx.updateProposal(p.id, { state: 'expired', closedAt: now });
    await tx.appendAudit({
      communityId: p.communityId,
      actor: 'system',
      action: 'proposal.expired',
      subject: `proposal:${p.id}`,
      payload: { cosigns: p.cosignCount, threshold: p.cosignThreshold },
      at: now,
    });
    return {
      kind: 'expired',
      number: p.number,
      publish: [{ kind: 'proposal_card', communityId: p.communityId, number: p.number }],
    };
  });
}
