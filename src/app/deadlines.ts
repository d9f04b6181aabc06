/**
 * Deadline use cases the workers call when a time passes: open a vote, close
 * it, expire an unsupported proposal. Each re-reads the proposal under a lock
 * and does nothing when the state has moved on, so a late or repeated job
 * never decides an outcome twice.
 */

import type { Policy } from '../domain/policy.ts';
import { closeVoting, expire, openVoting } from '../domain/proposal.ts';
import type { BallotCounts } from '../domain/tally.ts';
import { type CoreDeps, communityPolicy, transition } from './core.ts';
import type { Publication } from './ports/delivery.ts';
import type { VoteCloseStore } from './ports/schedule.ts';
import type {
  AuditInput,
  DeliberationTx,
  ProposalRecord,
  ProposalStateName,
} from './ports/store.ts';

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
      tally: BallotCounts;
      eligible: number;
      publish: Publication[];
    }
  | Moved;

/** A vote that may close now: its result, update, audit entry and publications. */
type ClosedVote = Extract<CloseVoteOutcome, { kind: 'closed' }>;

/**
 * The close of one locked proposal from its counted ballots: the rules live
 * here once, for the one-vote transaction and the batched one alike.
 */
function decideClose(
  p: ProposalRecord,
  counts: BallotCounts,
  policy: Policy,
  now: Date,
): ClosedVote | Moved {
  const eligible = p.eligibleCount ?? 0;
  const decision = closeVoting(p, { counts, eligibleCount: eligible }, now, policy);
  if (decision.kind !== 'closed') return unchanged(p, decision.kind);
  return {
    kind: 'closed',
    number: p.number,
    result: decision.result.kind,
    tally: counts,
    eligible,
    // The vote card follows too, so its ballot buttons disappear once the vote has closed.
    publish: [
      { kind: 'result_card', communityId: p.communityId, number: p.number },
      { kind: 'vote_card', communityId: p.communityId, number: p.number },
    ],
  };
}

const closedAudit = (p: ProposalRecord, closed: ClosedVote, now: Date): AuditInput => ({
  communityId: p.communityId,
  actor: 'system',
  action: 'vote.closed',
  subject: `proposal:${p.id}`,
  payload: { result: closed.result, tally: closed.tally, eligible: closed.eligible },
  at: now,
});

/** Closes a vote at its closing time and records the result from the counted ballots. */
export async function closeVote(deps: CoreDeps, target: DeadlineTarget): Promise<CloseVoteOutcome> {
  const now = deps.clock.now();
  return transition(deps, now, async (tx): Promise<CloseVoteOutcome> => {
    const loaded = await load(tx, target);
    if (!loaded) return unknown(target);
    const { p, policy } = loaded;
    const counts = await tx.ballotCounts(p.id);
    const outcome = decideClose(p, counts, policy, now);
    if (outcome.kind !== 'closed') return outcome;
    await tx.updateProposal(p.id, { state: outcome.result, closedAt: now, tally: counts });
    await tx.appendAudit(closedAudit(p, outcome, now));
    return outcome;
  });
}

export type CloseVotesDeps = Pick<CoreDeps, 'clock' | 'ids'> & { closer: VoteCloseStore };

/**
 * {@link closeVote} for many votes in one transaction (a storm of votes due at
 * the same instant): the same rules per vote, with every proposal locked
 * first and each statement covering the whole batch. Outcomes come back in
 * the order of `targets`; a target named twice closes once (the second reads
 * the first's decision as `wrong_state`, as a repeated job would).
 */
export async function closeVotes(
  deps: CloseVotesDeps,
  targets: readonly DeadlineTarget[],
): Promise<CloseVoteOutcome[]> {
  if (targets.length === 0) return [];
  const now = deps.clock.now();
  return deps.closer.transact(async (tx) => {
    const proposals = await tx.lockProposals(targets);
    const byTarget = new Map(proposals.map((p) => [`${p.communityId}/${p.number}`, p]));
    const communities = new Map(
      (await tx.communities([...new Set(proposals.map((p) => p.communityId))])).map((c) => [
        c.id,
        c,
      ]),
    );
    const voting = proposals.filter((p) => p.state === 'voting').map((p) => p.id);
    const counts = voting.length > 0 ? await tx.ballotCounts(voting) : new Map();
    const closes: { id: string; state: ProposalStateName; tally: ClosedVote['tally'] }[] = [];
    const audits: AuditInput[] = [];
    const publications: { id: string; communityId: string; number: number; kind: string }[] = [];
    const closedNow = new Map<string, ProposalStateName>();
    const outcomes = targets.map((target): CloseVoteOutcome => {
      const key = `${target.communityId}/${target.number}`;
      const p = byTarget.get(key);
      if (!p) return unknown(target);
      const already = closedNow.get(key);
      if (already) return unchanged({ ...p, state: already }, 'wrong_state');
      const policy = communityPolicy(communities.get(p.communityId));
      const tally = counts.get(p.id) ?? { for: 0, against: 0, abstain: 0 };
      const outcome = decideClose(p, tally, policy, now);
      if (outcome.kind !== 'closed') return outcome;
      closedNow.set(key, outcome.result);
      closes.push({ id: p.id, state: outcome.result, tally });
      audits.push(closedAudit(p, outcome, now));
      for (const publication of outcome.publish)
        publications.push({ id: deps.ids.next(), ...publication });
      return outcome;
    });
    if (closes.length > 0) {
      await tx.closeProposals(closes, now);
      await tx.appendAudits(audits);
      await tx.recordPublications(publications, now);
    }
    return outcomes;
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
