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
  const { proposal: p, voterKey, cast, now } = args;
  const current = await tx.lockBallot(p.id, voterKey);
  const decision = decideBallot(current ? toCast(current) : null, cast);
  switch (decision.kind) {
    case 'unchanged':
      return { kind: 'already_recorded', number: p.number, choice: cast.choice };
    case 'relay_refused_own_ballot':
      return { kind: 'relay_refused_own_ballot', number: p.number };
    case 'relay_refused_other_representative':
      return { kind: 'relay_refused_other_representative', number: p.number };
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
  await tx.putBallot(ballot, current, deps.ids.next(), now);
  await tx.appendAudit({
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
  });
  return {
    kind: 'recorded',
    number: p.number,
    choice: cast.choice,
    changed: decision.kind !== 'recorded',
    supersededRelay: decision.kind === 'superseded_relay',
    publish:
      decision.kind === 'recorded'
        ? [{ kind: 'vote_card', communityId: p.communityId, number: p.number }]
        : [],
  };
}
