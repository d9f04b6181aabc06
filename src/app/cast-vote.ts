import {
  actorLabel,
  type Command,
  type CoreDeps,
  isRefusal,
  policyOf,
  type Refusal,
  run,
  voterKeyOf,
} from './core.ts';
import type { Choice } from './ports/store.ts';
import { type BallotOutcome, ballotWindowRefusal, recordBallot } from './record-ballot.ts';

export type CastVoteOutcome = BallotOutcome | Refusal;

/**
 * `/vote N for|against|abstain` or a button: casts or changes the voter's own
 * ballot. It supersedes a ballot relayed for the household.
 */
export async function castVote(
  deps: CoreDeps,
  input: Command & { number: number; choice: Choice },
): Promise<CastVoteOutcome> {
  return run(deps, input, async (tx, now): Promise<CastVoteOutcome> => {
    const actor = await tx.actor(input.actor);
    if (isRefusal(actor)) return actor;
    const policy = policyOf(actor);
    // FOR SHARE: ballots run side by side, while the close (FOR UPDATE) waits for them.
    const p = await tx.proposal(actor.community.id, input.number, 'share');
    if (!p) return { kind: 'proposal_unknown', number: input.number };
    const closed = ballotWindowRefusal(p, now);
    if (closed) return closed;
    const voterKey = voterKeyOf(actor, policy);
    if (!(await tx.eligibility(p.id, voterKey))) return { kind: 'not_eligible', number: p.number };
    const outcome = await recordBallot(deps, tx, {
      proposal: p,
      voterKey,
      cast: { channel: 'chat', choice: input.choice },
      castBy: actor.residentId,
      now,
      policy,
      audit: { actor: actorLabel(actor) },
    });
    if (outcome.kind === 'recorded') {
      await tx.awardPoints(
        {
          communityId: p.communityId,
          residentId: actor.residentId,
          kind: 'vote',
          amount: policy.points.vote,
          subject: `proposal:${p.id}`,
          at: now,
        },
        deps.ids.next(),
      );
    }
    return outcome;
  });
}
