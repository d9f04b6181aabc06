import type { RosterDeps } from './deps.ts';
import { hashJoinCode, newJoinCode, normalizeJoinCode } from './join-code.ts';

export type IssueJoinCodesOutcome =
  | { kind: 'issued'; codes: { building: string; unit: string; code: string }[] }
  | { kind: 'community_unknown'; communityId: string };

/**
 * Issues one fresh join code per household. Earlier unused codes of those
 * households stop working; only hashes are stored, so the printed list is the
 * only copy of the codes.
 */
export async function issueJoinCodes(
  deps: Pick<RosterDeps, 'clock' | 'ids' | 'random' | 'communities' | 'roster' | 'joinCodes'>,
  input: { communityId: string },
): Promise<IssueJoinCodesOutcome> {
  const community = await deps.communities.get(input.communityId);
  if (!community) return { kind: 'community_unknown', communityId: input.communityId };
  const households = await deps.roster.households(community.id);
  const codes = households.map((h) => ({ ...h, code: newJoinCode(deps.random) }));
  await deps.joinCodes.replace(
    community.id,
    codes.map((c) => ({
      householdId: c.id,
      building: c.building,
      unit: c.unit,
      codeHash: hashJoinCode(normalizeJoinCode(c.code) ?? c.code),
    })),
    deps.ids,
    {
      communityId: community.id,
      actor: 'cli',
      action: 'join_codes.issued',
      subject: `community:${community.id}`,
      at: deps.clock.now(),
    },
  );
  return {
    kind: 'issued',
    codes: codes.map(({ building, unit, code }) => ({ building, unit, code })),
  };
}
