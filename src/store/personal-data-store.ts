/**
 * What is held about one household, and its erasure (`yishi resident
 * export|erase`). Erasure keeps the community's record countable: ballots,
 * co-signs and proposals stay under the same internal ids, names become
 * pseudonyms, chat accounts and everything keyed by them go, and the sealed
 * audit chain is not touched (it never held names or chat ids).
 */
import { createHash } from 'node:crypto';
import { accountHash } from '../app/watch.ts';
import { deferAudit } from './audit-append.ts';
import type { Database } from './database.ts';
import type { SqlSession } from './sql-session.ts';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** The unit an erased household is renamed to: the same for the same input, so a repeat finds it. */
export const erasedUnit = (communityId: string, unit: string) =>
  `erased-${sha256(`${communityId}/${unit}`).slice(0, 12)}`;

type Account = { platform: 'telegram' | 'slack'; userId: string; linkedAt: Date };
type Household = { id: string; building: string; unit: string; erasedAt: Date | null };

/** The documented export (README "Personal data"): format `yishi.household/1`. */
export type HouseholdExport = {
  format: 'yishi.household/1';
  exportedAt: string;
  community: { id: string; name: string };
  household: { id: string; building: string; unit: string; erasedAt: string | null };
  residents: {
    id: string;
    name: string;
    roles: string[];
    executingUnit: string | null;
    chatAccounts: { platform: string; userId: string; linkedAt: string }[];
  }[];
  joinCodes: { createdAt: string; usedAt: string | null; revokedAt: string | null }[];
  ballots: {
    number: number;
    choice: string;
    channel: string;
    castAt: string;
    paperRef: string | null;
    superseded: boolean;
  }[];
  relayedBallots: {
    number: number;
    unit: string;
    choice: string;
    paperRef: string | null;
    castAt: string;
  }[];
  proposals: { number: number; title: string; state: string; createdAt: string }[];
  cosigns: { number: number; at: string }[];
  progressReports: { number: number; percent: number; note: string; at: string }[];
  surveyAnswers: { number: number; satisfied: boolean; at: string }[];
  points: { kind: string; amount: number; subject: string; at: string }[];
  notices: { key: string; at: string }[];
  auditEntries: { seq: string; action: string; actor: string; subject: string; at: string }[];
};

const iso = (d: Date | null) => (d === null ? null : d.toISOString());

async function findHousehold(
  db: Pick<SqlSession, 'query'>,
  communityId: string,
  unit: string,
): Promise<Household | undefined> {
  // `3-201` as written on the roster, or building-unit; an erased one by its pseudonym.
  const [row] = await db.query<Household>(
    `SELECT h.id, b.name AS building, h.unit, h."erasedAt"
     FROM "Household" h JOIN "Building" b ON b.id = h."buildingId"
     WHERE h."communityId" = $1 AND (h.unit = $2 OR b.name || '-' || h.unit = $2 OR h.unit = $3)
     ORDER BY h."erasedAt" NULLS FIRST LIMIT 1`,
    [communityId, unit, erasedUnit(communityId, unit)],
  );
  return row;
}

async function accountsOf(db: Pick<SqlSession, 'query'>, householdId: string) {
  return db.query<Account & { residentId: string }>(
    `SELECT ci."residentId", ci.platform::text AS platform, ci."userId", ci."linkedAt"
     FROM "ChatIdentity" ci JOIN "Resident" r ON r.id = ci."residentId"
     WHERE r."householdId" = $1 ORDER BY ci."linkedAt", ci.id`,
    [householdId],
  );
}

/** NoticeSent keys end in the target chat, plainly or hashed (workers/queues.ts noticePushKey). */
function noticeSuffixes(accounts: readonly Account[]): string[] {
  return accounts.flatMap((a) => [
    `%-${a.platform}-${a.userId}`,
    `%-h${sha256(`${a.platform}-${a.userId}`).slice(0, 32)}`,
  ]);
}

export type ExportOutcome =
  | { kind: 'exported'; data: HouseholdExport }
  | { kind: 'community_unknown' }
  | { kind: 'unit_unknown' };

export async function exportHousehold(
  { sql }: Pick<Database, 'sql'>,
  communityId: string,
  unit: string,
  now: Date,
): Promise<ExportOutcome> {
  const [community] = await sql.query<{ id: string; name: string }>(
    'SELECT id, name FROM "Community" WHERE id = $1',
    [communityId],
  );
  if (!community) return { kind: 'community_unknown' };
  const household = await findHousehold(sql, communityId, unit);
  if (!household) return { kind: 'unit_unknown' };
  const residents = await sql.query<{
    id: string;
    name: string;
    roles: string[];
    executingUnit: string | null;
  }>(
    `SELECT r.id, r.name, r.roles::text[] AS roles, u.name AS "executingUnit"
     FROM "Resident" r LEFT JOIN "ExecutingUnit" u ON u.id = r."executingUnitId"
     WHERE r."householdId" = $1 ORDER BY r."createdAt", r.id`,
    [household.id],
  );
  const residentIds = residents.map((r) => r.id);
  const accounts = await accountsOf(sql, household.id);
  // Ballots are keyed by the voting unit: the household, or each resident.
  const voterKeys = [household.id, ...residentIds];
  const ballotRows = await sql.query<{
    number: number;
    choice: string;
    channel: string;
    castAt: Date;
    paperRef: string | null;
    superseded: boolean;
  }>(
    `SELECT p.number, b.choice::text AS choice, b.channel::text AS channel, b."castAt", b."paperRef", false AS superseded
     FROM "Ballot" b JOIN "Proposal" p ON p.id = b."proposalId"
     WHERE p."communityId" = $1 AND b."voterKey" = ANY($2::text[])
     UNION ALL
     SELECT p.number, b.choice::text, b.channel::text, b."castAt", b."paperRef", true
     FROM "BallotHistory" b JOIN "Proposal" p ON p.id = b."proposalId"
     WHERE p."communityId" = $1 AND b."voterKey" = ANY($2::text[])
     ORDER BY 4, 1`,
    [communityId, voterKeys],
  );
  const relayed = await sql.query<{
    number: number;
    unit: string;
    choice: string;
    paperRef: string | null;
    castAt: Date;
  }>(
    `SELECT p.number, h.unit, b.choice::text AS choice, b."paperRef", b."castAt"
     FROM (SELECT "proposalId", "voterKey", choice, "paperRef", "castAt", "castBy", channel FROM "Ballot"
           UNION ALL SELECT "proposalId", "voterKey", choice, "paperRef", "castAt", "castBy", channel FROM "BallotHistory") b
     JOIN "Proposal" p ON p.id = b."proposalId"
     JOIN "Household" h ON h.id = b."voterKey"
     WHERE p."communityId" = $1 AND b.channel = 'relay' AND b."castBy" = ANY($2::text[])
     ORDER BY b."castAt", p.number`,
    [communityId, residentIds],
  );
  const at = <R extends { at: Date }>(rows: R[]) =>
    rows.map((r) => ({ ...r, at: r.at.toISOString() }));
  const data: HouseholdExport = {
    format: 'yishi.household/1',
    exportedAt: now.toISOString(),
    community,
    household: { ...household, erasedAt: iso(household.erasedAt) },
    residents: residents.map((r) => ({
      ...r,
      chatAccounts: accounts
        .filter((a) => a.residentId === r.id)
        .map((a) => ({
          platform: a.platform,
          userId: a.userId,
          linkedAt: a.linkedAt.toISOString(),
        })),
    })),
    joinCodes: (
      await sql.query<{ createdAt: Date; usedAt: Date | null; revokedAt: Date | null }>(
        `SELECT "createdAt", "usedAt", "revokedAt" FROM "JoinCode" WHERE "householdId" = $1 ORDER BY "createdAt", id`,
        [household.id],
      )
    ).map((j) => ({
      createdAt: j.createdAt.toISOString(),
      usedAt: iso(j.usedAt),
      revokedAt: iso(j.revokedAt),
    })),
    ballots: ballotRows.map((b) => ({ ...b, castAt: b.castAt.toISOString() })),
    relayedBallots: relayed.map((b) => ({ ...b, castAt: b.castAt.toISOString() })),
    proposals: (
      await sql.query<{ number: number; title: string; state: string; createdAt: Date }>(
        `SELECT number, title, state::text AS state, "createdAt" FROM "Proposal"
         WHERE "communityId" = $1 AND "authorId" = ANY($2::text[]) ORDER BY number`,
        [communityId, residentIds],
      )
    ).map((p) => ({ ...p, createdAt: p.createdAt.toISOString() })),
    cosigns: at(
      await sql.query<{ number: number; at: Date }>(
        `SELECT p.number, c.at FROM "Cosign" c JOIN "Proposal" p ON p.id = c."proposalId"
         WHERE p."communityId" = $1 AND c."residentId" = ANY($2::text[]) ORDER BY c.at, p.number`,
        [communityId, residentIds],
      ),
    ),
    progressReports: at(
      await sql.query<{ number: number; percent: number; note: string; at: Date }>(
        `SELECT p.number, pr.percent, pr.note, pr.at FROM "ProgressReport" pr
         JOIN "Resolution" r ON r.id = pr."resolutionId" JOIN "Proposal" p ON p.id = r."proposalId"
         WHERE r."communityId" = $1 AND pr."reporterId" = ANY($2::text[]) ORDER BY pr.at`,
        [communityId, residentIds],
      ),
    ),
    surveyAnswers: at(
      await sql.query<{ number: number; satisfied: boolean; at: Date }>(
        `SELECT p.number, s.satisfied, s.at FROM "SurveyAnswer" s
         JOIN "Resolution" r ON r.id = s."resolutionId" JOIN "Proposal" p ON p.id = r."proposalId"
         WHERE r."communityId" = $1 AND s."residentId" = ANY($2::text[]) ORDER BY s.at`,
        [communityId, residentIds],
      ),
    ),
    points: at(
      await sql.query<{ kind: string; amount: number; subject: string; at: Date }>(
        `SELECT kind, amount, subject, at FROM "PointsEntry"
         WHERE "residentId" = ANY($1::text[]) ORDER BY at, id`,
        [residentIds],
      ),
    ),
    notices: at(
      await sql.query<{ key: string; at: Date }>(
        `SELECT key, at FROM "NoticeSent" WHERE key LIKE ANY($1::text[]) ORDER BY at, key`,
        [noticeSuffixes(accounts)],
      ),
    ),
    auditEntries: (
      await sql.query<{ seq: string; action: string; actor: string; subject: string; at: Date }>(
        `SELECT seq::text AS seq, action, actor, subject, at FROM "AuditEntry"
         WHERE "communityId" = $1
           AND (actor = ANY($2::text[]) OR subject = ANY($2::text[])
                OR payload->>'voterKey' = ANY($3::text[]) OR payload->>'residentId' = ANY($3::text[]))
         ORDER BY seq`,
        [
          communityId,
          [`household:${household.id}`, ...residentIds.map((id) => `resident:${id}`)],
          voterKeys,
        ],
      )
    ).map((e) => ({ ...e, at: e.at.toISOString() })),
  };
  return { kind: 'exported', data };
}

export type EraseOutcome =
  | { kind: 'erased'; householdId: string; residents: number; accounts: number }
  | { kind: 'already_erased'; householdId: string; erasedAt: Date }
  | { kind: 'community_unknown' }
  | { kind: 'unit_unknown' };

/**
 * Erases a household that moved out, in one transaction: names become
 * pseudonyms, roles go (no later vote counts it: the roster's voters skip
 * erased households), chat accounts and what is keyed by them are deleted,
 * unused join codes are revoked, paper references cleared; an audit entry
 * `household.erased` records it. A second erase changes nothing.
 */
export function eraseHousehold(
  { sql }: Pick<Database, 'sql'>,
  communityId: string,
  unit: string,
  at: Date,
): Promise<EraseOutcome> {
  return sql.transaction(async (db): Promise<EraseOutcome> => {
    const [community] = await db.query<{ id: string }>(
      'SELECT id FROM "Community" WHERE id = $1 FOR UPDATE',
      [communityId],
    );
    if (!community) return { kind: 'community_unknown' };
    const household = await findHousehold(db, communityId, unit);
    if (!household) return { kind: 'unit_unknown' };
    if (household.erasedAt) {
      return { kind: 'already_erased', householdId: household.id, erasedAt: household.erasedAt };
    }
    const accounts = await accountsOf(db, household.id);
    const residents = await db.query<{ id: string }>(
      `UPDATE "Resident" SET name = 'erased-' || substr(md5(id), 1, 8), roles = '{}',
              "executingUnitId" = NULL, "updatedAt" = $2
       WHERE "householdId" = $1 RETURNING id`,
      [household.id, at],
    );
    const residentIds = residents.map((r) => r.id);
    const voterKeys = [household.id, ...residentIds];
    const platforms = accounts.map((a) => a.platform);
    const userIds = accounts.map((a) => a.userId);
    await db.execute('DELETE FROM "ChatIdentity" WHERE "residentId" = ANY($1::text[])', [
      residentIds,
    ]);
    await db.execute(
      `UPDATE "JoinCode" SET "usedBy" = NULL, "revokedAt" = COALESCE("revokedAt", $2)
       WHERE "householdId" = $1`,
      [household.id, at],
    );
    await db.execute(`UPDATE "Household" SET unit = $2, "erasedAt" = $3 WHERE id = $1`, [
      household.id,
      erasedUnit(communityId, household.unit),
      at,
    ]);
    // A paper slip's reference may carry a name (its household's or its relayer's); the
    // choice stays, so tallies do not move.
    for (const table of ['Ballot', 'BallotHistory']) {
      await db.execute(
        `UPDATE "${table}" SET "paperRef" = NULL
         WHERE ("voterKey" = ANY($1::text[]) OR "castBy" = ANY($2::text[])) AND "paperRef" IS NOT NULL`,
        [voterKeys, residentIds],
      );
    }
    // What is keyed by the accounts' private chats (a Telegram private chat's id is the user's).
    const chats = `(platform, "chatId") IN (SELECT * FROM unnest($1::"Platform"[], $2::text[]))`;
    for (const table of ['DeliveryProblem', 'ChatPreference', 'CardMessage']) {
      await db.execute(`DELETE FROM "${table}" WHERE ${chats}`, [platforms, userIds]);
    }
    await db.execute(
      `DELETE FROM "Outbox" WHERE ("chatPlatform", "chatId") IN (SELECT * FROM unnest($1::"Platform"[], $2::text[]))`,
      [platforms, userIds],
    );
    if (accounts.length > 0) {
      await db.execute('DELETE FROM "NoticeSent" WHERE key LIKE ANY($1::text[])', [
        noticeSuffixes(accounts),
      ]);
    }
    await db.execute(
      `DELETE FROM "JoinAttempt" WHERE "householdId" = $1 OR "accountHash" = ANY($2::text[])`,
      [household.id, accounts.map((a) => accountHash(a.platform, a.userId))],
    );
    deferAudit(db, {
      communityId,
      actor: 'cli',
      action: 'household.erased',
      subject: `household:${household.id}`,
      payload: { residents: residentIds.length, accounts: accounts.length },
      at,
    });
    return {
      kind: 'erased',
      householdId: household.id,
      residents: residentIds.length,
      accounts: accounts.length,
    };
  });
}
