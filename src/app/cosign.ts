import { applyCosign } from '../domain/proposal.ts';
import {
  actorLabel,
  type Command,
  type CoreDeps,
  iso,
  isRefusal,
  policyOf,
  type Refusal,
  run,
  voterKeyOf,
} from './core.ts';
import type { Publication } from './ports/delivery.ts';
import type { ProposalStateName } from './ports/store.ts';

export type CosignOutcome =
  | {
      kind: 'cosigned';
      number: number;
      cosigns: number;
      threshold: number;
      agendaReached: boolean;
      votingOpensAt: string | null;
      publish: Publication[];
    }
  | { kind: 'already_cosigned'; number: number; cosigns: number; threshold: number }
  | { kind: 'not_collecting'; number: number; state: ProposalStateName }
  | { kind: 'window_closed'; number: number; cosignDeadline: string }
  | Refusal;

/**
 * `/cosign N`: one co-sign per voter. The proposal row is locked, so however
 * many co-signs arrive at once, the count is exact and `agenda` is reached once.
 */
export async function cosign(
  deps: CoreDeps,
  input: Command & { number: number },
): Promise<CosignOutcome> {
  return run(deps, input, async (tx, now): Promise<CosignOutcome> => {
    const actor = await tx.actor(input.actor);
    if (isRefusal(actor)) return actor;
    const policy = policyOf(actor);
    const communityId = actor.community.id;
    const p = await tx.proposal(communityId, input.number, 'update');
    if (!p) return { kind: 'proposal_unknown', number: input.number };
    if (p.state !== 'collecting')
      return { kind: 'not_collecting', number: p.number, state: p.state };
    if (now >= p.cosignDeadline) {
      return {
        kind: 'window_closed',
        number: p.number,
        cosignDeadline: p.cosignDeadline.toISOString(),
      };
    }
    const added = await tx.addCosign(p.id, voterKeyOf(actor, policy), actor.residentId, now);
    if (!added)
      return {
        kind: 'already_cosigned',
        number: p.number,
        cosigns: p.cosignCount,
        threshold: p.cosignThreshold,
      };
    const eligibleCount = (await tx.voters(communityId, policy.voterUnit)).length;
    const cosignCount = p.cosignCount + 1;
    const decision = applyCosign(p, { eligibleCount, cosignCount }, now, policy);
    if (decision.kind !== 'counted' && decision.kind !== 'agenda_reached') {
      // Checked above under the same lock; reaching this is a bug, and throwing rolls the co-sign back.
      throw new Error(`co-sign decision ${decision.kind} after the window check`);
    }
    const reached = decision.kind === 'agenda_reached';
    await tx.updateProposal(p.id, {
      cosignCount,
      cosignThreshold: decision.threshold,
      ...(reached
        ? {
            state: decision.next.state,
            agendaAt: decision.agendaAt,
            votingOpensAt: decision.votingOpensAt,
            votingClosesAt: decision.votingClosesAt,
          }
        : {}),
    });
    await tx.awardPoints(
      {
        communityId,
        residentId: actor.residentId,
        kind: 'cosign',
        amount: policy.points.cosign,
        subject: `proposal:${p.id}`,
        at: now,
      },
      deps.ids.next(),
    );
    await tx.appendAudit({
      communityId,
      actor: actorLabel(actor),
      action: 'proposal.cosigned',
      subject: `proposal:${p.id}`,
      payload: { cosigns: cosignCount, threshold: decision.threshold },
      at: now,
    });
    if (reached) {
      await tx.appendAudit({
        communityId,
        actor: 'system',
        action: 'proposal.agenda_reached',
        subject: `proposal:${p.id}`,
        payload: { votingOpensAt: decision.votingOpensAt, votingClosesAt: decision.votingClosesAt },
        at: now,
      });
    }
    return {
      kind: 'cosigned',
      number: p.number,
      cosigns: cosignCount,
      threshold: decision.threshold,
      agendaReached: reached,
      votingOpensAt: reached ? iso(decision.votingOpensAt) : null,
      publish: [{ kind: 'proposal_card', communityId, number: p.number }],
    };
  });
}
