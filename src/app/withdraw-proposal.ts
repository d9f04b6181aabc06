import { withdraw } from '../domain/proposal.ts';
import {
  actorLabel,
  type Command,
  type CoreDeps,
  hasRole,
  isRefusal,
  type Refusal,
  run,
} from './core.ts';
import type { Publication } from './ports/delivery.ts';
import type { ProposalStateName } from './ports/store.ts';

export type WithdrawOutcome =
  | { kind: 'withdrawn'; number: number; publish: Publication[] }
  | { kind: 'author_after_collecting'; number: number; state: ProposalStateName }
  | { kind: 'wrong_state'; number: number; state: ProposalStateName }
  | Refusal;

/** `/withdraw N`: the author while collecting, or the committee before the vote. */
export async function withdrawProposal(
  deps: CoreDeps,
  input: Command & { number: number },
): Promise<WithdrawOutcome> {
  return run(deps, input, async (tx, now): Promise<WithdrawOutcome> => {
    const actor = await tx.actor(input.actor);
    if (isRefusal(actor)) return actor;
    const p = await tx.proposal(actor.community.id, input.number, 'update');
    if (!p) return { kind: 'proposal_unknown', number: input.number };
    const decision = withdraw(
      p,
      { residentId: actor.residentId, isCommittee: hasRole(actor, 'committee') },
      now,
    );
    switch (decision.kind) {
      case 'not_author_or_committee':
        return { kind: 'not_allowed', need: 'author_or_committee' };
      case 'author_after_collecting':
      case 'wrong_state':
        return { kind: decision.kind, number: p.number, state: p.state };
      case 'withdrawn':
        break;
    }
    await tx.updateProposal(p.id, { state: 'withdrawn', withdrawnAt: now, closedAt: now });
    await tx.appendAudit({
      communityId: p.communityId,
      actor: actorLabel(actor),
      action: 'proposal.withdrawn',
      subject: `proposal:${p.id}`,
      payload: { previousState: p.state },
      at: now,
    });
    return {
      kind: 'withdrawn',
      number: p.number,
      publish: [{ kind: 'proposal_card', communityId: p.communityId, number: p.number }],
    };
  });
}
