/**
 * Who may do what, at the level of roles: the one table the use cases check
 * and `/help` reads, so the commands offered are the ones the core accepts.
 * Checks that depend on the case at hand (the author of this proposal, the
 * lead unit of this resolution, a household of one's own building) stay in
 * the use cases and come on top.
 */
import type { Actor } from './ports/store.ts';

/**
 * - `anyone`: linked or not.
 * - `not_linked`: a chat account not yet linked to a household.
 * - `resident`: any linked person (everyone on the roster is a resident).
 * - `representative`, `committee`: that role on the roster.
 * - `executor`: the executor role and a member of an executing unit.
 */
export type Permission =
  | 'anyone'
  | 'not_linked'
  | 'resident'
  | 'representative'
  | 'committee'
  | 'executor';

/** The permission each use case a person starts needs, by use case. */
export const PERMISSIONS = {
  joinHousehold: 'not_linked',
  propose: 'resident',
  cosign: 'resident',
  castVote: 'resident',
  answerSurvey: 'resident',
  withdrawProposal: 'resident',
  ownPoints: 'resident',
  relayVote: 'representative',
  scheduleVote: 'committee',
  assignResolution: 'committee',
  reportProgress: 'executor',
  completeResolution: 'executor',
  showStatus: 'anyone',
  setChatLocale: 'anyone',
  hotTopics: 'committee',
} as const satisfies Record<string, Permission>;

export type UseCaseName = keyof typeof PERMISSIONS;

/** Whether `actor` (undefined: not linked) holds `permission`. */
export function permits(actor: Actor | undefined, permission: Permission): boolean {
  switch (permission) {
    case 'anyone':
      return true;
    case 'not_linked':
      return actor === undefined;
    case 'resident':
      return actor !== undefined;
    case 'representative':
    case 'committee':
      return actor?.roles.includes(permission) ?? false;
    case 'executor':
      return (actor?.roles.includes('executor') ?? false) && actor?.executingUnitId !== null;
  }
}
