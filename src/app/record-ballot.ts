/**
 * The part of /vote and /relay that is the same: lock the voter's ballot,
 * apply the supersession rule, keep the superseded ballot in the history.
 */
import { createHash } from 'node:crypto';
import { type BallotCast, decideBallot } from '../domain/ballot.ts';
import type { Policy } from '../domain/policy.ts';
import { checkBallotWindow } from '../domain/proposal.ts';
import type { CoreDeps } from './core.ts';
import type { Publication } from './ports/delivery.ts';
import type {
  AuditInput,
  BallotRecord,
  Choice,
  DeliberationTx,
  ProposalRecord,
  ProposalStateName,
} from './ports/store.ts';

const sha256Hex = (text: string) => createHash('sha256').update(text).digest('hex');

export type BallotOutcome =
  | {
      kind: 'recorded';
      number: number;
      choice: Choice;
      changed: boolean;
      supersededRelay: boolean;
      /** The vote card when turnout moved (a first ballot of this voter); empty for a change. */
      publish: Publication[];
    }
  | { kind: 'already_recorded'; number: number; choice: Choice }
  | { kind: 'relay_refused_own_ballot'; number: number }
  | { kind: 'relay_refused_other_representative'; number: number }
  | {
      kind: 'vote_not_open';
      number: number;
      state: ProposalStateName;
      votingOpensAt: string | null;
    }
  | { kind: 'vote_closed'; number: number; closedAt: string }
  | { kind: 'not_eligible'; number: number };

const toCast = (b: BallotRecord): BallotCast =>
  b.channel === 'chat'
    ? { channel: 'chat', choice: b.choice }
    : {
        channel: 'relay',
        choice: b.choice,
        representativeId: b.castBy,
        reference: b.paperRef ?? '',
      };

/** Checks the vote is open for this voter; undefined when it is. */
export function ballotWindowRefusal(p: ProposalRecord, now: Date): BallotOutcome | undefined {
  const window = checkBallotWindow(p, now);
  if (window.kind === 'not_open') {
    return {
      kind: 'vote_not_open',
      number: p.number,
      state: p.state,
      votingOpensAt: p.votingOpensAt?.toISOString() ?? null,
    };
  }
  if (window.kind === 'closed')
    return { kind: 'vote_closed', number: p.number, closedAt: window.votingClosesAt.toISOString() };
  return undefined;
}

/** What a ballot does given the voter's current one: the outcome and, when it counts, the writes. */
export type BallotPlan = {
  outcome: BallotOutcome;
  write?: { ballot: BallotRecord; previous: BallotRecord | undefined; audit: AuditInput };
};

/**
 * The supersession rule applied to a voter's current ballot, without the
 * database: shared by the single ballot below and the group commit
 * (cast-votes.ts), which apply the same plan to many voters at once.
 */
export function planBallot(args: {
  proposal: ProposalRecord;
  voterKey: string;
  current: BallotRecord | undefined;
  cast: BallotCast;
  castBy: string;
  now: Date;
  audit: { actor: string };
}): BallotPlan {
  const { proposal: p, voterKey, cast, current, now } = args;
  const decision = decideBallot(current ? toCast(current) : null, cast);
  switch (decision.kind) {
    case 'unchanged':
      return { outcome: { kind: 'already_recorded', number: p.number, choice: cast.choice } };
    case 'relay_refused_own_ballot':
      return { outcome: { kind: 'relay_refused_own_ballot', number: p.number } };
    case 'relay_refused_other_representative':
      return { outcome: { kind: 'relay_refused_other_representative', number: p.number } };
    case 'recorded':
    case 'changed':
    case 'superseded_relay':
      break;
  }
  const ballot: BallotRecord = {
    proposalId: p.id,
    voterKey,
    choice: cast.choice,
    channel: cast.channel,
    castBy: args.castBy,
    paperRef: cast.channel === 'relay' ? cast.reference : null,
    castAt: now,
  };
  const audit: AuditInput = {
    communityId: p.communityId,
    actor: args.audit.actor,
    action: cast.channel === 'relay' ? 'ballot.relayed' : 'ballot.cast',
    subject: `proposal:${p.id}`,
    // The choice is in the sealed record so a recount can be verified; chats never show it.
    payload: {
      voterKey,
      choice: cast.choice,
      channel: cast.channel,
      // The paper slip's reference may name the household: the chain holds its hash only,
      // which still proves which slip was entered (the Ballot row keeps the reference).
      paperRefHash: ballot.paperRef === null ? null : sha256Hex(ballot.paperRef),
      supersedes: current?.channel ?? null,
    },
    at: now,
  };
  return {
    outcome: {
      kind: 'recorded',
      number: p.number,
      choice: cast.choice,
      changed: decision.kind !== 'recorded',
      supersededRelay: decision.kind === 'superseded_relay',
      publish:
        decision.kind === 'recorded'
          ? [{ kind: 'vote_card', communityId: p.communityId, number: p.number }]
          : [],
    },
    write: { ballot, previous: current, audit },
  };
}

export async function recordBallot(
  deps: Pick<CoreDeps, 'ids'>,
  tx: DeliberationTx,
  args: {
    proposal: ProposalRecord;
    voterKey: string;
    cast: BallotCast;
    castBy: string;
    now: Date;
    policy: Policy;
    audit: { actor: string };
  },
): Promise<BallotOutcome> {
  const current = await tx.lockBallot(args.proposal.id, args.voterKey);
  const { outcome, write } = planBallot({ ...args, current });
  if (write) {
    await tx.putBallot(write.ballot, write.previous, deps.ids.next(), args.now);
    await tx.appendAudit(write.audit);
  }
  return outcome;
}
