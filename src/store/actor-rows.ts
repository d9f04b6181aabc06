/** The acting resident's columns, read with one join (deliberation-store.ts, ballot-batch-store.ts). */
import type { Actor } from '../app/ports/store.ts';
import type { Role } from '../domain/role.ts';
import { toCommunity } from './sql-rows.ts';

/** The actor's columns, from `"Resident" r` joined to household, building and community. */
export const ACTOR_SELECT = `r.id AS "residentId", r.name, r."householdId", h.unit, h."buildingId",
  bl.name AS building, r.roles::text[] AS roles, r."executingUnitId",
  c.id AS "communityId", c.name AS "communityName", c.timezone, c.locale, c.policy`;
export const ACTOR_JOIN = `JOIN "Household" h ON h.id = r."householdId"
  JOIN "Building" bl ON bl.id = h."buildingId"
  JOIN "Community" c ON c.id = r."communityId"`;

export type ActorRow = {
  residentId: string;
  name: string;
  householdId: string;
  unit: string;
  buildingId: string;
  building: string;
  roles: string[];
  executingUnitId: string | null;
  communityId: string;
  communityName: string;
  timezone: string;
  locale: string;
  policy: unknown;
};

export function toActor(row: ActorRow): Actor {
  return {
    residentId: row.residentId,
    name: row.name,
    householdId: row.householdId,
    unit: row.unit,
    buildingId: row.buildingId,
    building: row.building,
    roles: row.roles as Role[],
    executingUnitId: row.executingUnitId,
    community: toCommunity({
      id: row.communityId,
      name: row.communityName,
      timezone: row.timezone,
      locale: row.locale,
      policy: row.policy,
    }),
  };
}
