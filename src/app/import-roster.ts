import type { RosterDeps } from './deps.ts';
import type { RosterImportSummary } from './ports/store.ts';
import { type RosterProblem, validateRoster } from './roster-row.ts';

export type ImportRosterOutcome =
  | ({ kind: 'imported' } & RosterImportSummary)
  | { kind: 'invalid'; problems: RosterProblem[] }
  | { kind: 'community_unknown'; communityId: string };

/**
 * Imports a household roster. Every record is validated first; one bad record
 * means nothing is imported. Importing the same roster again changes nothing.
 */
export async function importRoster(
  deps: Pick<RosterDeps, 'clock' | 'ids' | 'communities' | 'roster'>,
  input: {
    communityId: string;
    records: readonly Record<string, string | undefined>[];
    firstLine?: number;
  },
): Promise<ImportRosterOutcome> {
  const community = await deps.communities.get(input.communityId);
  if (!community) return { kind: 'community_unknown', communityId: input.communityId };
  const validated = validateRoster(input.records, input.firstLine);
  if (!validated.ok) return { kind: 'invalid', problems: validated.problems };
  const summary = await deps.roster.apply(community.id, validated.entries, deps.ids, {
    communityId: community.id,
    actor: 'cli',
    action: 'roster.imported',
    subject: `community:${community.id}`,
    at: deps.clock.now(),
  });
  return { kind: 'imported', ...summary };
}
