/**
 * The public board's queries ({@link BoardReader}): plain reads, no locks.
 * Authors, co-signers and voters are only ever counted here, per household
 * and building; no query hands a name, unit, chat id or choice upwards.
 */
import type {
  AuditEventRow,
  BoardKeyRow,
  BoardReader,
  BuildingCounts,
  ChainState,
  ParticipationData,
} from '../app/board.ts';
import type { BoardKeys } from '../app/board-links.ts';
import { checkSealedAudit } from './audit-seal.ts';
import type { Database } from './database.ts';
import {
  COMMUNITY_COLUMNS,
  type CommunityRow,
  proposalsWithResolutions,
  toCommunity,
} from './sql-rows.ts';

type BoardColumns = { ballots: number; latestNoteAt: Date | null };

const BOARD_COLUMNS = {
  // Ballots are counted for open votes only: a closed vote shows its stored tally.
  ballots: `CASE WHEN p."tallyFor" IS NULL AND p."eligibleCount" IS NOT NULL
    THEN (SELECT count(*) FROM "Ballot" b WHERE b."proposalId" = p.id)::int ELSE 0 END`,
  latestNoteAt: `(SELECT max(pr.at) FROM "ProgressReport" pr
    JOIN "Resolution" r ON r.id = pr."resolutionId" WHERE r."proposalId" = p.id)`,
};

export function boardReader({ sql }: Pick<Database, 'sql'>): BoardReader {
  return {
    async find(key): Promise<BoardKeyRow | undefined> {
      // One round trip per request: the community and its change counter (the
      // newest audit entry; every state change the board shows is audited).
      const rows = await sql.query<
        CommunityRow & { boardKey: string | null; version: string | null }
      >(
        `SELECT ${COMMUNITY_COLUMNS}, c."boardKey",
               (SELECT max(a.seq) FROM "AuditEntry" a WHERE a."communityId" = c.id)::text AS version
          FROM "Community" c
         WHERE c."boardKey" = $1 OR c.id = $1
         LIMIT 2`,
        [key],
      );
      const row = rows.find((r) => r.boardKey === key) ?? rows[0];
      if (!row) return undefined;
      return { community: toCommunity(row), boardKey: row.boardKey, version: row.version ?? '0' };
    },

    async proposals(communityId, number) {
      const found = await proposalsWithResolutions<BoardColumns>(
        sql,
        `WHERE p."communityId" = $1 AND ($2::int IS NULL OR p.number = $2) ORDER BY p.number`,
        [communityId, number ?? null],
        BOARD_COLUMNS,
      );
      return found.map(({ extra: row, proposal, resolution }) => ({
        proposal,
        ballots: row.ballots,
        author: null,
        resolution,
        latestNoteAt: row.latestNoteAt,
      }));
    },

    async timeline(communityId, number): Promise<AuditEventRow[] | undefined> {
      const [proposal] = await sql.query<{ id: string; resolutionId: string | null }>(
        `SELECT p.id, r.id AS "resolutionId" FROM "Proposal" p
         LEFT JOIN "Resolution" r ON r."proposalId" = p.id
         WHERE p."communityId" = $1 AND p.number = $2`,
        [communityId, number],
      );
      if (!proposal) return undefined;
      const subjects = [`proposal:${proposal.id}`];
      if (proposal.resolutionId) subjects.push(`resolution:${proposal.resolutionId}`);
      return sql.query<AuditEventRow>(
        `SELECT action, at, payload FROM "AuditEntry"
         WHERE "communityId" = $1 AND subject = ANY($2::text[]) ORDER BY seq`,
        [communityId, subjects],
      );
    },

    async chain(communityId): Promise<ChainState> {
      // Read-only: a public GET never seals (the maintenance job does, hourly).
      const { verdict, sealedAt } = await checkSealedAudit(sql, communityId);
      if (verdict.kind === 'broken') {
        return { kind: 'broken', chainIndex: verdict.chainIndex, reason: verdict.reason };
      }
      const entries = verdict.kind === 'intact' ? verdict.entries : 0;
      return {
        kind: 'intact',
        sealedUpTo: entries === 0 ? null : entries - 1,
        sealedAt: entries === 0 ? null : sealedAt,
        pending: verdict.kind === 'intact' ? verdict.pending : 0,
      };
    },

    async events(communityId, actions, limit) {
      return sql.query(
        `SELECT action, at, payload, subject FROM "AuditEntry"
         WHERE "communityId" = $1 AND action = ANY($2::text[]) ORDER BY seq DESC LIMIT $3`,
        [communityId, [...actions], limit],
      );
    },

    async participation(communityId, { since, lastVotes }): Promise<ParticipationData> {
      const buildings = await sql.query<{ id: string; name: string; households: number }>(
        `SELECT b.id, b.name, count(h.id)::int AS households
          FROM "Building" b LEFT JOIN "Household" h ON h."buildingId" = b.id
         WHERE b."communityId" = $1
         GROUP BY b.id, b.name ORDER BY b.name`,
        [communityId],
      );
      const votes = await sql.query<{ id: string; number: number; votingClosesAt: Date | null }>(
        `SELECT id, number, "votingClosesAt" FROM "Proposal"
         WHERE "communityId" = $1 AND state IN ('passed', 'rejected', 'no_quorum')
           AND "eligibleCount" IS NOT NULL
         ORDER BY "votingClosesAt" DESC NULLS FIRST, number DESC LIMIT $2`,
        [communityId, lastVotes],
      );
      votes.reverse();
      const voteIds = votes.map((v) => v.id);
      const [turnout, cosigned, proposals, cosigns, months] = await Promise.all([
        voteIds.length === 0
          ? []
          : sql.query<{ proposalId: string; buildingId: string; eligible: number; voted: number }>(
              `
        SELECT e."proposalId", e."buildingId",
               count(DISTINCT e."householdId")::int AS eligible,
               count(DISTINCT e."householdId") FILTER (WHERE b."voterKey" IS NOT NULL)::int AS voted
          FROM "Eligibility" e
          LEFT JOIN "Ballot" b ON b."proposalId" = e."proposalId" AND b."voterKey" = e."voterKey"
         WHERE e."proposalId" = ANY($1::text[])
         GROUP BY e."proposalId", e."buildingId"`,
              [voteIds],
            ),
        sql.query<{ buildingId: string; households: number }>(
          `
        SELECT h."buildingId", count(DISTINCT h.id)::int AS households
          FROM "Cosign" c
          JOIN "Proposal" p ON p.id = c."proposalId"
          JOIN "Resident" r ON r.id = c."residentId"
          JOIN "Household" h ON h.id = r."householdId"
         WHERE p."communityId" = $1 AND c.at >= $2
         GROUP BY h."buildingId"`,
          [communityId, since],
        ),
        sql.query<{ householdId: string; n: number }>(
          `
        SELECT r."householdId", count(*)::int AS n
          FROM "Proposal" p JOIN "Resident" r ON r.id = p."authorId"
         WHERE p."communityId" = $1 AND p."createdAt" >= $2
         GROUP BY r."householdId"`,
          [communityId, since],
        ),
        // The author's own first co-sign is part of proposing, not support from someone else.
        sql.query<{ householdId: string; n: number }>(
          `
        SELECT r."householdId", count(*)::int AS n
          FROM "Cosign" c
          JOIN "Proposal" p ON p.id = c."proposalId"
          JOIN "Resident" r ON r.id = c."residentId"
         WHERE p."communityId" = $1 AND c.at >= $2 AND c."residentId" <> p."authorId"
         GROUP BY r."householdId"`,
          [communityId, since],
        ),
        sql.query<{ month: string; households: number }>(
          `
        SELECT to_char(t.at AT TIME ZONE (SELECT timezone FROM "Community" WHERE id = $1), 'YYYY-MM') AS month,
               count(DISTINCT t.household)::int AS households
          FROM (
            SELECT r."householdId" AS household, p."createdAt" AS at
              FROM "Proposal" p JOIN "Resident" r ON r.id = p."authorId"
             WHERE p."communityId" = $1
            UNION ALL
            SELECT r."householdId", c.at
              FROM "Cosign" c JOIN "Proposal" p ON p.id = c."proposalId"
              JOIN "Resident" r ON r.id = c."residentId"
             WHERE p."communityId" = $1
            UNION ALL
            SELECT e."householdId", b."castAt"
              FROM "Ballot" b JOIN "Proposal" p ON p.id = b."proposalId"
              JOIN "Eligibility" e ON e."proposalId" = b."proposalId" AND e."voterKey" = b."voterKey"
             WHERE p."communityId" = $1
          ) t
         WHERE t.at >= $2
         GROUP BY 1 ORDER BY 1`,
          [communityId, since],
        ),
      ]);
      const voteIndex = new Map(voteIds.map((id, i) => [id, i]));
      const byBuilding = new Map<string, BuildingCounts>(
        buildings.map((b) => [
          b.id,
          {
            building: b.name,
            households: b.households,
            cosigned: 0,
            voted: votes.map(() => ({ voted: 0, eligible: 0 })),
          },
        ]),
      );
      for (const t of turnout) {
        const slot = byBuilding.get(t.buildingId)?.voted[voteIndex.get(t.proposalId) ?? -1];
        if (slot) {
          slot.voted = t.voted;
          slot.eligible = t.eligible;
        }
      }
      for (const c of cosigned) {
        const b = byBuilding.get(c.buildingId);
        if (b) b.cosigned = c.households;
      }
      const activity = new Map<string, { proposals: number; cosigns: number }>();
      const tally = (householdId: string) => {
        const known = activity.get(householdId);
        if (known) return known;
        const fresh = { proposals: 0, cosigns: 0 };
        activity.set(householdId, fresh);
        return fresh;
      };
      for (const p of proposals) tally(p.householdId).proposals = p.n;
      for (const c of cosigns) tally(c.householdId).cosigns = c.n;
      return {
        votes: votes.map((v) => ({ number: v.number, closesAt: v.votingClosesAt })),
        buildings: [...byBuilding.values()],
        activity: [...activity.values()],
        households: buildings.reduce((s, b) => s + b.households, 0),
        months,
      };
    },
  };
}

/** The stored board keys, for the link under each card (src/app/board-links.ts). */
export function boardKeys({ sql }: Pick<Database, 'sql'>): BoardKeys {
  return {
    async boardKey(communityId) {
      const [row] = await sql.query<{ boardKey: string | null }>(
        'SELECT "boardKey" FROM "Community" WHERE id = $1',
        [communityId],
      );
      return row?.boardKey ?? null;
    },
  };
}
