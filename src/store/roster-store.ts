import type { IdSource } from '../app/ports/clock.ts';
import type {
  AuditInput,
  ChatBindingInput,
  ChatBindingOutcome,
  ChatBindingStore,
  CommunityStore,
  JoinCodeGrant,
  JoinCodeStore,
  JoinRedemption,
  JoinTarget,
  Platform,
  RosterEntry,
  RosterImportSummary,
  RosterStore,
} from '../app/ports/store.ts';
import { deferAudit } from './audit-append.ts';
import type { Database } from './database.ts';
import { communityById } from './sql-rows.ts';
import type { SqlSession } from './sql-session.ts';

/** Columns whose default is the time of the write: UTC, like every stored time (sql-session.ts). */
const NOW = `(now() AT TIME ZONE 'UTC')`;

export function communityStore({ sql }: Pick<Database, 'sql'>): CommunityStore {
  return {
    create: (community, audit) =>
      sql.transaction(async (db) => {
        await db.execute(
          `INSERT INTO "Community" (id, name, timezone, locale, policy, "createdAt")
           VALUES ($1, $2, $3, $4, $5::jsonb, ${NOW})`,
          [
            community.id,
            community.name,
            community.timezone,
            community.locale,
            JSON.stringify(community.policy),
          ],
        );
        deferAudit(db, audit);
      }),
    get: (communityId) => communityById(sql, communityId),
  };
}

const sameRoles = (a: readonly string[], b: readonly string[]) =>
  a.length === b.length && [...a].sort().join(';') === [...b].sort().join(';');

/**
 * Inserts `rows` in one statement, each column sent as one text array. A
 * column is stored as sent unless `as` gives its expression (over `v."column"`);
 * `as` may also add columns the rows do not carry.
 */
async function insertRows(
  db: SqlSession,
  table: string,
  rows: readonly Record<string, string | null>[],
  as: Record<string, string> = {},
): Promise<void> {
  const [first] = rows;
  if (!first) return;
  const sent = Object.keys(first);
  const columns = [...new Set([...sent, ...Object.keys(as)])];
  await db.execute(
    `INSERT INTO "${table}" (${columns.map((c) => `"${c}"`).join(', ')})
     SELECT ${columns.map((c) => as[c] ?? `v."${c}"`).join(', ')}
     FROM unnest(${sent.map((_, i) => `$${i + 1}::text[]`).join(', ')})
       AS v(${sent.map((c) => `"${c}"`).join(', ')})`,
    sent.map((c) => rows.map((r) => r[c] ?? null) as string[]),
  );
}

export function rosterStore({ sql }: Pick<Database, 'sql'>): RosterStore {
  return {
    async apply(communityId, entries, ids, audit) {
      return sql.transaction(async (db) => {
        // Serialise imports of one community: two concurrent imports would race on creates.
        await db.query('SELECT id FROM "Community" WHERE id = $1 FOR UPDATE', [communityId]);
        const read = <R>(columns: string, table: string) =>
          db.query<R>(`SELECT ${columns} FROM "${table}" WHERE "communityId" = $1`, [communityId]);
        type Named = { id: string; name: string };
        const buildings = await read<Named>('id, name', 'Building');
        const households = await read<{ id: string; buildingId: string; unit: string }>(
          'id, "buildingId", unit',
          'Household',
        );
        const units = await read<Named>('id, name', 'ExecutingUnit');
        const residents = await read<Omit<RosterResidentRow, 'communityId'>>(
          `id, "householdId", name, coalesce(roles, '{}')::text[] AS roles, "executingUnitId"`,
          'Resident',
        );
        const identities = await read<{
          id: string;
          residentId: string;
          platform: Platform;
          userId: string;
        }>('id, "residentId", platform::text AS platform, "userId"', 'ChatIdentity');
        const buildingId = new Map(buildings.map((b) => [b.name, b.id]));
        const householdId = new Map(households.map((h) => [`${h.buildingId}/${h.unit}`, h.id]));
        const unitId = new Map(units.map((u) => [u.name, u.id]));
        const residentByKey = new Map(residents.map((r) => [`${r.householdId}/${r.name}`, r]));
        const identityByKey = new Map(identities.map((i) => [`${i.platform}/${i.userId}`, i]));

        const newBuildings: { id: string; communityId: string; name: string }[] = [];
        const newHouseholds: {
          id: string;
          communityId: string;
          buildingId: string;
          unit: string;
        }[] = [];
        const newUnits: { id: string; communityId: string; name: string }[] = [];
        const newResidents: RosterResidentRow[] = [];
        const changedResidents: RosterResidentRow[] = [];
        const newIdentities: {
          id: string;
          communityId: string;
          residentId: string;
          platform: Platform;
          userId: string;
        }[] = [];
        const movedIdentities: { id: string; residentId: string }[] = [];
        let unchanged = 0;

        for (const entry of entries) {
          let bId = buildingId.get(entry.building);
          if (!bId) {
            bId = ids.next();
            buildingId.set(entry.building, bId);
            newBuildings.push({ id: bId, communityId, name: entry.building });
          }
          let hId = householdId.get(`${bId}/${entry.unit}`);
          if (!hId) {
            hId = ids.next();
            householdId.set(`${bId}/${entry.unit}`, hId);
            newHouseholds.push({ id: hId, communityId, buildingId: bId, unit: entry.unit });
          }
          let uId: string | null = null;
          if (entry.executingUnit) {
            uId = unitId.get(entry.executingUnit) ?? null;
            if (!uId) {
              uId = ids.next();
              unitId.set(entry.executingUnit, uId);
              newUnits.push({ id: uId, communityId, name: entry.executingUnit });
            }
          }
          const existing = residentByKey.get(`${hId}/${entry.name}`);
          const residentId = existing?.id ?? ids.next();
          const row: RosterResidentRow = {
            id: residentId,
            communityId,
            householdId: hId,
            name: entry.name,
            roles: entry.roles,
            executingUnitId: uId,
          };
          let changed = false;
          if (!existing) newResidents.push(row);
          else if (!sameRoles(existing.roles, entry.roles) || existing.executingUnitId !== uId) {
            changedResidents.push(row);
            changed = true;
          }
          for (const [platform, userId] of [
            ['telegram', entry.telegramUserId],
            ['slack', entry.slackUserId],
          ] as const) {
            if (!userId) continue;
            const identity = identityByKey.get(`${platform}/${userId}`);
            if (!identity) {
              newIdentities.push({ id: ids.next(), communityId, residentId, platform, userId });
              changed = true;
            } else if (identity.residentId !== residentId) {
              movedIdentities.push({ id: identity.id, residentId });
              changed = true;
            }
          }
          if (existing && !changed) unchanged += 1;
        }

        await insertRows(db, 'Building', newBuildings);
        await insertRows(db, 'Household', newHouseholds);
        await insertRows(db, 'ExecutingUnit', newUnits);
        const residentRows = (rows: readonly RosterResidentRow[]) =>
          rows.map((r) => ({ ...r, roles: r.roles.join(',') }));
        await insertRows(db, 'Resident', residentRows(newResidents), {
          roles: `string_to_array(v.roles, ',')::"Role"[]`,
          createdAt: NOW,
          updatedAt: NOW,
        });
        if (changedResidents.length > 0) {
          const changed = residentRows(changedResidents);
          await db.execute(
            `UPDATE "Resident" AS r
             SET roles = string_to_array(v.roles, ',')::"Role"[], "executingUnitId" = v.unit,
                 "updatedAt" = ${NOW}
             FROM unnest($1::text[], $2::text[], $3::text[]) AS v(id, roles, unit)
             WHERE r.id = v.id`,
            [
              changed.map((r) => r.id),
              changed.map((r) => r.roles),
              changed.map((r) => r.executingUnitId ?? null) as string[],
            ],
          );
        }
        if (movedIdentities.length > 0) {
          await db.execute(
            `UPDATE "ChatIdentity" AS ci SET "residentId" = v.resident
             FROM unnest($1::text[], $2::text[]) AS v(id, resident) WHERE ci.id = v.id`,
            [movedIdentities.map((m) => m.id), movedIdentities.map((m) => m.residentId)],
          );
        }
        await insertRows(db, 'ChatIdentity', newIdentities, {
          platform: 'v.platform::"Platform"',
          linkedAt: NOW,
        });

        const summary: RosterImportSummary = {
          created: newResidents.length,
          updated: entries.length - newResidents.length - unchanged,
          unchanged,
          households: householdId.size,
          buildings: buildingId.size,
        };
        if (summary.created + summary.updated > 0) {
          deferAudit(db, { ...audit, payload: { ...summary, rows: entries.length } });
        }
        return summary;
      });
    },

    async households(communityId) {
      const rows = await sql.query<{ id: string; building: string; unit: string }>(
        `SELECT h.id, b.name AS building, h.unit FROM "Household" h
         JOIN "Building" b ON b.id = h."buildingId"
         WHERE h."communityId" = $1 AND h."erasedAt" IS NULL`,
        [communityId],
      );
      return rows.sort((a, b) =>
        a.building === b.building
          ? a.unit.localeCompare(b.unit, 'en', { numeric: true })
          : a.building.localeCompare(b.building, 'en', { numeric: true }),
      );
    },
  };
}

type RosterResidentRow = {
  id: string;
  communityId: string;
  householdId: string;
  name: string;
  roles: RosterEntry['roles'];
  executingUnitId: string | null;
};

export function joinCodeStore({ sql }: Pick<Database, 'sql'>): JoinCodeStore {
  return {
    replace: (communityId, grants: readonly JoinCodeGrant[], ids: IdSource, audit) =>
      sql.transaction(async (db) => {
        const households = grants.map((g) => g.householdId);
        await db.execute(
          `UPDATE "JoinCode" SET "revokedAt" = $3
           WHERE "communityId" = $1 AND "householdId" = ANY($2::text[])
             AND "usedAt" IS NULL AND "revokedAt" IS NULL`,
          [communityId, households, audit.at],
        );
        await insertRows(
          db,
          'JoinCode',
          grants.map((g) => ({
            id: ids.next(),
            communityId,
            householdId: g.householdId,
            codeHash: g.codeHash,
            createdAt: audit.at.toISOString(),
          })),
          { createdAt: 'v."createdAt"::timestamp(3)' },
        );
        deferAudit(db, { ...audit, payload: { households: grants.length } });
      }),

    redeem: (codeHash, identity, ids, at) =>
      sql.transaction(
        async (db): Promise<{ outcome: JoinRedemption; target: JoinTarget | null }> => {
          const account = `${identity.platform}:${identity.userId}`;
          // One account's redemptions run one after another, so two codes tapped at once by the
          // same account link it once (the second reads as already linked), not a key violation.
          await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [
            `join:${account}`,
          ]);
          const [code] = await db.query<{
            id: string;
            communityId: string;
            communityName: string;
            householdId: string;
            unit: string;
            building: string;
            revoked: boolean;
          }>(
            `SELECT j.id, j."communityId", c.name AS "communityName", j."householdId", h.unit,
                  b.name AS building, j."revokedAt" IS NOT NULL AS revoked
           FROM "JoinCode" j
           JOIN "Community" c ON c.id = j."communityId"
           JOIN "Household" h ON h.id = j."householdId"
           JOIN "Building" b ON b.id = h."buildingId"
           WHERE j."codeHash" = $1`,
            [codeHash],
          );
          if (!code) return { outcome: { kind: 'code_unknown' }, target: null };
          const target = { communityId: code.communityId, householdId: code.householdId };
          if (code.revoked) return { outcome: { kind: 'code_unknown' }, target };
          const [linked] = await db.query<{ building: string; unit: string }>(
            `SELECT b.name AS building, h.unit FROM "ChatIdentity" ci
           JOIN "Resident" r ON r.id = ci."residentId"
           JOIN "Household" h ON h.id = r."householdId"
           JOIN "Building" b ON b.id = h."buildingId"
           WHERE ci."communityId" = $1 AND ci.platform = $2::"Platform" AND ci."userId" = $3`,
            [code.communityId, identity.platform, identity.userId],
          );
          if (linked) return { outcome: { kind: 'already_linked', ...linked }, target };
          // Conditional update: of two concurrent redemptions only one sees usedAt null.
          const claimed = await db.execute(
            `UPDATE "JoinCode" SET "usedAt" = $2, "usedBy" = $3
           WHERE id = $1 AND "usedAt" IS NULL AND "revokedAt" IS NULL`,
            [code.id, at, account],
          );
          if (claimed === 0) {
            // A code revoked meanwhile is unknown; a double tap by the same account is already linked.
            const [latest] = await db.query<{ revoked: boolean; usedBy: string | null }>(
              `SELECT "revokedAt" IS NOT NULL AS revoked, "usedBy" FROM "JoinCode" WHERE id = $1`,
              [code.id],
            );
            if (latest?.revoked) return { outcome: { kind: 'code_unknown' }, target };
            if (latest?.usedBy === account) {
              return {
                outcome: { kind: 'already_linked', building: code.building, unit: code.unit },
                target,
              };
            }
            return { outcome: { kind: 'code_used' }, target };
          }

          // Link the first member without an account on this platform; a household
          // listed without members gets one, named after its unit.
          const [member] = await db.query<{ id: string }>(
            `SELECT r.id FROM "Resident" r WHERE r."householdId" = $1
           ORDER BY EXISTS (SELECT 1 FROM "ChatIdentity" ci
                            WHERE ci."residentId" = r.id AND ci.platform = $2::"Platform"),
                    r."createdAt", r.id
           LIMIT 1`,
            [code.householdId, identity.platform],
          );
          const residentId = member?.id ?? ids.next();
          if (!member) {
            db.defer(
              `INSERT INTO "Resident" (id, "communityId", "householdId", name, roles, "createdAt", "updatedAt")
             VALUES ($1, $2, $3, $4, '{resident}', ${NOW}, ${NOW})`,
              [residentId, code.communityId, code.householdId, code.unit],
            );
          }
          db.defer(
            `INSERT INTO "ChatIdentity" (id, "communityId", "residentId", platform, "userId", "linkedAt")
           VALUES ($1, $2, $3, $4::"Platform", $5, $6)`,
            [ids.next(), code.communityId, residentId, identity.platform, identity.userId, at],
          );
          deferAudit(db, {
            communityId: code.communityId,
            // Never the chat account itself: the sealed chain must outlive an erased household.
            actor: `resident:${residentId}`,
            action: 'household.joined',
            subject: `household:${code.householdId}`,
            payload: { residentId, platform: identity.platform },
            at,
          });
          return {
            outcome: {
              kind: 'joined',
              communityId: code.communityId,
              communityName: code.communityName,
              building: code.building,
              unit: code.unit,
              residentId,
            },
            target,
          };
        },
      ),
  };
}

export function chatBindingStore({ sql }: Pick<Database, 'sql'>): ChatBindingStore {
  return {
    bind: (
      input: ChatBindingInput,
      ids: IdSource,
      audit: Omit<AuditInput, 'payload'>,
    ): Promise<ChatBindingOutcome> =>
      sql.transaction(async (db) => {
        let buildingId: string | null = null;
        if (input.building !== undefined) {
          const [building] = await db.query<{ id: string }>(
            'SELECT id FROM "Building" WHERE "communityId" = $1 AND name = $2',
            [input.communityId, input.building],
          );
          if (!building) return { kind: 'building_unknown', building: input.building };
          buildingId = building.id;
        }
        const [binding] = await db.query<{ id: string }>(
          `INSERT INTO "ChatBinding" (id, "communityId", "buildingId", platform, "chatId", "threadId", "createdAt")
           VALUES ($1, $2, $3, $4::"Platform", $5, $6, ${NOW})
           ON CONFLICT (platform, "chatId") DO UPDATE
             SET "communityId" = excluded."communityId", "buildingId" = excluded."buildingId",
                 "threadId" = excluded."threadId"
           RETURNING id`,
          [
            ids.next(),
            input.communityId,
            buildingId,
            input.platform,
            input.chatId,
            input.topic ?? null,
          ],
        );
        deferAudit(db, {
          ...audit,
          payload: {
            building: input.building ?? null,
            platform: input.platform,
            topic: input.topic ?? null,
          },
        });
        return { kind: 'bound', id: binding?.id ?? '', buildingId };
      }),

    async list(communityId) {
      const rows = await sql.query<{
        platform: Platform;
        chatId: string;
        building: string | null;
        locale: string | null;
        topic: string | null;
        reason: string | null;
        at: Date | null;
      }>(
        `SELECT cb.platform::text AS platform, cb."chatId", b.name AS building, cb.locale,
                cb."threadId" AS topic, dp.reason, dp.at
         FROM "ChatBinding" cb
         LEFT JOIN "Building" b ON b.id = cb."buildingId"
         LEFT JOIN "DeliveryProblem" dp ON dp.platform = cb.platform AND dp."chatId" = cb."chatId"
         WHERE cb."communityId" = $1
         ORDER BY cb."createdAt", cb.id`,
        [communityId],
      );
      return rows.map(({ reason, at, ...chat }) => ({
        ...chat,
        reachable: reason === null,
        problem: reason === null || at === null ? null : { reason, at },
      }));
    },
  };
}
