import { checkRelayEligibility } from '../domain/ballot.ts';
import type { Policy } from '../domain/policy.ts';
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
import type { Choice } from './ports/store.ts';
import { type BallotOutcome, ballotWindowRefusal, recordBallot } from './record-ballot.ts';
import { watchRelay } from './watch.ts';

export const PAPER_REF_MAX = 64;

export type RelayVoteOutcome =
  | BallotOutcome
  | Refusal
  | { kind: 'unit_unknown'; unit: string }
  | { kind: 'other_building'; unit: string; building: string };

/**
 * `/relay N UNIT for|against|abstain REF`: a building representative enters a
 * paper ballot for a household of their own building. It never overrides the
 * household's own chat ballot.
 */
export async function relayVote(
  deps: CoreDeps,
  input: Command & { number: number; unit: string; choice: Choice; paperRef: string },
): Promise<RelayVoteOutcome> {
  const paperRef = input.paperRef.trim();
  if (paperRef === '' || paperRef.length > PAPER_REF_MAX) {
    return {
      kind: 'invalid',
      field: 'paperRef',
      reason: paperRef === '' ? 'empty' : `longer than ${PAPER_REF_MAX}`,
    };
  }
  // What the watch rules need, set when this call (not a replay of a stored outcome) records a relay.
  let relayed: (Parameters<typeof watchRelay>[2] & { policy: Policy; now: Date }) | undefined;
  const outcome = await run(deps, input, async (tx, now): Promise<RelayVoteOutcome> => {
    const actor = await tx.actor(input.actor);
    if (isRefusal(actor)) return actor;
    if (!permits(actor, PERMISSIONS.relayVote))
      return { kind: 'not_allowed', need: 'representative' };
    const policy = policyOf(actor);
    if (policy.voterUnit !== 'household')
      return { kind: 'invalid', field: 'unit', reason: 'relay_needs_household_voters' };
    const communityId = actor.community.id;
    const unit = input.unit.trim();
    // `201` within the representative's building, or `3-201` as building-unit or as written on the roster.
    const dash = unit.indexOf('-');
    const candidates = [
      ...(await tx.householdByUnit(communityId, actor.building, unit)),
      ...(dash > 0
        ? await tx.householdByUnit(communityId, unit.slice(0, dash), unit.slice(dash + 1))
        : []),
      ...(await tx.householdByUnit(communityId, null, unit)),
    ];
    const household = candidates.find((c) => c.buildingId === actor.buildingId) ?? candidates[0];
    if (!household) return { kind: 'unit_unknown', unit };
    const eligibility = checkRelayEligibility(
      { representativeOfBuildingId: actor.buildingId },
      household,
    );
    if (eligibility.kind !== 'allowed')
      return { kind: 'other_building', unit, building: actor.building };
    const p = await tx.proposal(communityId, input.number, 'share');
    if (!p) return { kind: 'proposal_unknown', number: input.number };
    const closed = ballotWindowRefusal(p, now);
    if (closed) return closed;
    if (!(await tx.eligibility(p.id, household.householdId)))
      return { kind: 'not_eligible', number: p.number };
    const recorded = await recordBallot(deps, tx, {
      proposal: p,
      voterKey: household.householdId,
      cast: {
        channel: 'relay',
        choice: input.choice,
        representativeId: actor.residentId,
        reference: paperRef,
      },
      castBy: actor.residentId,
      now,
      policy,
      audit: { actor: actorLabel(actor) },
    });
    if (recorded.kind === 'recorded') {
      relayed = {
        communityId,
        proposalId: p.id,
        number: p.number,
        votingClosesAt: p.votingClosesAt,
        representativeId: actor.residentId,
        buildingId: actor.buildingId,
        policy,
        now,
      };
    }
    return recorded;
  });
  if (relayed && deps.watch) {
    const { policy, now, ...relay } = relayed;
    await watchRelay({ clock: deps.clock, ids: deps.ids, watch: deps.watch }, policy, relay, now);
  }
  return outcome;
}
