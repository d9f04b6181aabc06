import { isAllowedCategory } from '../domain/categories.ts';
import { applyCosign, cosignThreshold, newProposal } from '../domain/proposal.ts';
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

export const TITLE_MAX = 80;
export const BODY_MAX = 1500;

export type ProposeOutcome =
  | {
      kind: 'proposed';
      number: number;
      title: string;
      state: 'collecting' | 'noticed';
      cosigns: number;
      threshold: number;
      cosignDeadline: string;
      votingOpensAt: string | null;
      publish: Publication[];
    }
  | Refusal;

/** `/propose TITLE` (+ body, `#category`): a resident opens a proposal and is its first co-signer. */
export async function propose(
  deps: CoreDeps,
  input: Command & {
    title: string;
    body?: string | undefined;
    category?: string | undefined;
    /** The resolution this follows up (a survey under the satisfaction bar). */
    followUpOf?: string | undefined;
  },
): Promise<ProposeOutcome> {
  const title = input.title.trim();
  const body = (input.body ?? '').trim();
  if (title === '') return { kind: 'invalid', field: 'title', reason: 'empty' };
  if ([...title].length > TITLE_MAX)
    return { kind: 'invalid', field: 'title', reason: `longer than ${TITLE_MAX}` };
  if ([...body].length > BODY_MAX)
    return { kind: 'invalid', field: 'body', reason: `longer than ${BODY_MAX}` };
  return run(deps, input, async (tx, now): Promise<ProposeOutcome> => {
    const actor = await tx.actor(input.actor);
    if (isRefusal(actor)) return actor;
    const policy = policyOf(actor);
    const category = input.category ?? 'other';
    if (!isAllowedCategory(policy.categories, category)) {
      return { kind: 'invalid', field: 'category', reason: category };
    }
    const communityId = actor.community.id;
    const voters = await tx.voters(communityId, policy.voterUnit);
    const number = await tx.nextProposalNumber(communityId);
    const id = deps.ids.next();
    let state = newProposal(actor.residentId, now, policy);
    // The author is the first co-signer; in a tiny community that may already be enough.
    const first = applyCosign(state, { eligibleCount: voters.length, cosignCount: 1 }, now, policy);
    if (first.kind === 'agenda_reached') state = first.next;
    const threshold = cosignThreshold(voters.length, policy);
    await tx.insertProposal({
      id,
      communityId,
      number,
      title,
      body,
      category,
      authorId: actor.residentId,
      state: state.state,
      createdAt: now,
      cosignDeadline: state.cosignDeadline,
      cosignThreshold: threshold,
      cosignCount: 1,
      agendaAt: state.agendaAt,
      votingOpensAt: state.votingOpensAt,
      votingClosesAt: state.votingClosesAt,
      eligibleCount: null,
      closedAt: null,
      tally: null,
      withdrawnAt: null,
      followUpOf: input.followUpOf ?? null,
    });
    await tx.addCosign(id, voterKeyOf(actor, policy), actor.residentId, now);
    await tx.awardPoints(
      {
        communityId,
        residentId: actor.residentId,
        kind: 'propose',
        amount: policy.points.propose,
        subject: `proposal:${id}`,
        at: now,
      },
      deps.ids.next(),
    );
    await tx.appendAudit({
      communityId,
      actor: actorLabel(actor),
      action: 'proposal.created',
      subject: `proposal:${id}`,
      payload: { number, title, body, category, threshold, state: state.state },
      at: now,
    });
    return {
      kind: 'proposed',
      number,
      title,
      state: state.state === 'noticed' ? 'noticed' : 'collecting',
      cosigns: 1,
      threshold,
      cosignDeadline: state.cosignDeadline.toISOString(),
      votingOpensAt: iso(state.votingOpensAt),
      publish: [{ kind: 'proposal_card', communityId, number }],
    };
  });
}
