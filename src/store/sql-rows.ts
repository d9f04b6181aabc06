/**
 * The rows several stores read: a community, a proposal and its resolution,
 * each with one SELECT list and one mapping, so every port sees the same
 * record whichever store it came through.
 */
import type { CommunityRecord, ProposalRecord, ResolutionRecord } from '../app/ports/store.ts';
import type { BallotCounts } from '../domain/tally.ts';
import type { SqlSession, SqlValue } from './sql-session.ts';

/** What a reader runs its statements through: the driver, or a transaction's session. */
export type SqlReads = { query<R>(text: string, values?: readonly SqlValue[]): Promise<R[]> };

export type CommunityRow = {
  id: string;
  name: string;
  timezone: string;
  locale: string;
  policy: unknown;
};

/** The community's columns, from the table as `c`. */
export const COMMUNITY_COLUMNS = 'c.id, c.name, c.timezone, c.locale, c.policy';

export function toCommunity(row: CommunityRow): CommunityRecord {
  return {
    id: row.id,
    name: row.name,
    timezone: row.timezone,
    locale: row.locale === 'en' ? 'en' : 'zh-CN',
    policy: (row.policy ?? {}) as Record<string, unknown>,
  };
}

/** The communities `where` picks (on `c`; it may go on with ORDER BY). */
export async function communitiesWhere(
  sql: SqlReads,
  where: string,
  values: readonly SqlValue[] = [],
): Promise<CommunityRecord[]> {
  const rows = await sql.query<CommunityRow>(
    `SELECT ${COMMUNITY_COLUMNS} FROM "Community" c ${where}`,
    values,
  );
  return rows.map(toCommunity);
}

export const communityById = async (sql: SqlReads, id: string) =>
  (await communitiesWhere(sql, 'WHERE c.id = $1', [id]))[0];

/** Ballots per choice of each proposal named (a proposal with none is absent). */
export async function ballotCountsOf(
  sql: SqlReads,
  proposalIds: readonly string[],
): Promise<Map<string, BallotCounts>> {
  const rows = await sql.query<{ proposalId: string; choice: keyof BallotCounts; n: number }>(
    `SELECT "proposalId", choice::text AS choice, count(*)::int AS n FROM "Ballot"
     WHERE "proposalId" = ANY($1::text[]) GROUP BY 1, 2`,
    [[...proposalIds]],
  );
  const counts = new Map<string, BallotCounts>();
  for (const row of rows) {
    const tally = counts.get(row.proposalId) ?? { for: 0, against: 0, abstain: 0 };
    counts.set(row.proposalId, { ...tally, [row.choice]: row.n });
  }
  return counts;
}

export type ProposalRow = Omit<ProposalRecord, 'tally'> & {
  tallyFor: number | null;
  tallyAgainst: number | null;
  tallyAbstain: number | null;
};

/** The proposal's columns, from the table as `p`. */
export const PROPOSAL_COLUMNS = `p.id, p."communityId", p.number, p.title, p.body, p.category,
  p."authorId", p.state::text AS state, p."createdAt", p."cosignDeadline", p."cosignThreshold",
  p."cosignCount", p."agendaAt", p."votingOpensAt", p."votingClosesAt", p."eligibleCount",
  p."closedAt", p."tallyFor", p."tallyAgainst", p."tallyAbstain", p."withdrawnAt", p."followUpOf"`;

export function toProposal(row: ProposalRow): ProposalRecord {
  const { tallyFor, tallyAgainst, tallyAbstain, ...proposal } = row;
  return {
    ...proposal,
    tally:
      tallyFor === null || tallyAgainst === null || tallyAbstain === null
        ? null
        : { for: tallyFor, against: tallyAgainst, abstain: tallyAbstain },
  };
}

/** A resolution with its proposal's number and its lead unit's name; filter on `r` and `p`. */
export const RESOLUTION_SELECT = `SELECT r.id, r."proposalId", r."communityId", p.number,
    r."leadUnitId", coalesce(u.name, '') AS "leadUnit", coalesce(r."coopUnits", '{}') AS "coopUnits", r."dueAt", r.milestones,
    r.state::text AS state, r.progress, r."latestNote", r."escalationLevel", r."assignedAt",
    r."doneAt", r."surveyClosesAt", r."evaluatedAt", r."satisfiedCount", r."answeredCount",
    r.flagged
  FROM "Resolution" r
  JOIN "Proposal" p ON p.id = r."proposalId"
  LEFT JOIN "ExecutingUnit" u ON u.id = r."leadUnitId"`;

export const toResolution = (row: ResolutionRecord): ResolutionRecord => ({
  ...row,
  milestones: row.milestones ?? [],
});

/**
 * Proposals with their resolutions: `from` continues `SELECT ... FROM
 * "Proposal" p` (joins, WHERE, ORDER BY, LIMIT); `extras` are more columns
 * (name: SQL expression), returned beside the record, never inside it.
 */
export async function proposalsWithResolutions<E extends Record<string, unknown>>(
  sql: SqlReads,
  from: string,
  values: readonly SqlValue[],
  extras: { [K in keyof E]: string },
): Promise<{ extra: E; proposal: ProposalRecord; resolution: ResolutionRecord | null }[]> {
  const named = Object.entries(extras).map(([name, expression]) => `, ${expression} AS "${name}"`);
  const rows = await sql.query<ProposalRow & E>(
    `SELECT ${PROPOSAL_COLUMNS}${named.join('')} FROM "Proposal" p ${from}`,
    values,
  );
  const resolved =
    rows.length === 0
      ? []
      : await resolutionsOf(
          sql,
          rows.map((r) => r.id),
        );
  const byProposal = new Map(resolved.map((r) => [r.proposalId, r]));
  return rows.map((row) => {
    const own = Object.entries(row).filter(([name]) => !(name in extras));
    const extra = Object.fromEntries(Object.keys(extras).map((name) => [name, row[name]]));
    return {
      extra: extra as E,
      proposal: toProposal(Object.fromEntries(own) as ProposalRow),
      resolution: byProposal.get(row.id) ?? null,
    };
  });
}

async function resolutionsOf(
  sql: SqlReads,
  proposalIds: readonly string[],
): Promise<ResolutionRecord[]> {
  const rows = await sql.query<ResolutionRecord>(
    `${RESOLUTION_SELECT} WHERE r."proposalId" = ANY($1::text[])`,
    [proposalIds],
  );
  return rows.map(toResolution);
}

/** Outbox rows (append-only, never read back in the transaction): one deferred statement. */
export function deferOutbox(
  db: SqlSession,
  publications: readonly { id: string; communityId: string; number: number; kind: string }[],
  at: Date,
  announcement: boolean,
): void {
  if (publications.length === 0) return;
  db.defer(
    `INSERT INTO "Outbox" (id, "communityId", number, kind, announcement, "createdAt")
     SELECT p.id, p."communityId", p.number, p.kind, $5, $6
     FROM unnest($1::text[], $2::text[], $3::int[], $4::text[]) AS p(id, "communityId", number, kind)`,
    [
      publications.map((p) => p.id),
      publications.map((p) => p.communityId),
      publications.map((p) => String(p.number)),
      publications.map((p) => p.kind),
      announcement,
      at,
    ],
  );
}
