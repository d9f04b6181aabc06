import { parseDateInput } from '../domain/date-input.ts';
import { schedule } from '../domain/proposal.ts';
import {
  actorLabel,
  type Command,
  type CoreDeps,
  isRefusal,
  policyOf,
  type Refusal,
  run,
} from './core.ts';
import { PERMISSIONS, permits } from './permissions.ts';
import type { Publication } from './ports/delivery.ts';
import type { ProposalStateName } from './ports/store.ts';

export type ScheduleVoteOutcome =
  | {
      kind: 'scheduled';
      number: number;
      votingOpensAt: string;
      votingClosesAt: string;
      publish: Publication[];
    }
  | { kind: 'too_early'; number: number; earliestAt: string }
  | { kind: 'wrong_state'; number: number; state: ProposalStateName }
  | Refusal;

/** `/schedule N YYYY-MM-DD HH:mm` (community local time): the committee moves a vote later, never inside the notice period. */
export async function scheduleVote(
  deps: CoreDeps,
  input: Command & { number: number; opensAt: string },
): Promise<ScheduleVoteOutcome> {
  return run(deps, input, async (tx, now): Promise<ScheduleVoteOutcome> => {
    const actor = await tx.actor(input.actor);
    if (isRefusal(actor)) return actor;
    if (!permits(actor, PERMISSIONS.scheduleVote))
      return { kind: 'not_allowed', need: 'committee' };
    const parsed = parseDateInput(input.opensAt, actor.community.timezone);
    if (parsed.kind !== 'instant') {
      return {
        kind: 'invalid',
        field: 'opensAt',
        reason: parsed.kind === 'date' ? 'time_missing' : parsed.kind,
      };
    }
    const policy = policyOf(actor);
    const p = await tx.proposal(actor.community.id, input.number, 'update');
    if (!p) return { kind: 'proposal_unknown', number: input.number };
    const decision = schedule(p, parsed.at, now, policy);
    if (decision.kind === 'wrong_state')
      return { kind: 'wrong_state', number: p.number, state: p.state };
    if (decision.kind === 'too_early') {
      return { kind: 'too_early', number: p.number, earliestAt: decision.earliestAt.toISOString() };
    }
    await tx.updateProposal(p.id, {
      state: decision.next.state,
      votingOpensAt: decision.votingOpensAt,
      votingClosesAt: decision.votingClosesAt,
    });
    await tx.appendAudit({
      communityId: p.communityId,
      actor: actorLabel(actor),
      action: 'vote.scheduled',
      subject: `proposal:${p.id}`,
      payload: { votingOpensAt: decision.votingOpensAt, votingClosesAt: decision.votingClosesAt },
      at: now,
    });
    return {
      kind: 'scheduled',
      number: p.number,
      votingOpensAt: decision.votingOpensAt.toISOString(),
      votingClosesAt: decision.votingClosesAt.toISOString(),
      publish: [{ kind: 'proposal_card', communityId: p.communityId, number: p.number }],
    };
  });
}
