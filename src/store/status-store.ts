/**
 * The read side ({@link StatusReader}): plain reads, no locks; each view is
 * as fresh as the moment it is read.
 */
import type { PointsEntryRecord, ProposalStatusRow, StatusReader } from '../app/status.ts';
import { FINAL_PROPOSAL_STATES } from '../domain/proposal.ts';
import { communityById, proposalsWithResolutions, type SqlReads } from './sql-rows.ts';

type StatusColumns = { ballots: number; authorBuilding: string | null; authorUnit: string | null };

const STATUS_COLUMNS = {
  ballots: '(SELECT count(*) FROM "Ballot" b WHERE b."proposalId" = p.id)::int',
  authorBuilding: 'ab.name',
  authorUnit: 'ah.unit',
};
const AUTHOR_JOIN = `LEFT JOIN "Resident" ar ON ar.id = p."authorId"
  LEFT JOIN "Household" ah ON ah.id = ar."householdId"
  LEFT JOIN "Building" ab ON ab.id = ah."buildingId"`;

export function statusReader({ sql }: { sql: SqlReads }): StatusReader {
  async function rows(where: string, values: readonly (string | number | readonly string[])[]) {
    const found = await proposalsWithResolutions<StatusColumns>(
      sql,
      `${AUTHOR_JOIN} WHERE ${where} ORDER BY p.number`,
      values,
      STATUS_COLUMNS,
    );
    return found.map(
      ({ extra: row, proposal, resolution }): ProposalStatusRow => ({
        proposal,
        ballots: row.ballots,
        author:
          row.authorBuilding === null || row.authorUnit === null
            ? null
            : { building: row.authorBuilding, unit: row.authorUnit },
        resolution,
      }),
    );
  }

  return {
    community: (communityId) => communityById(sql, communityId),

    bindings: (communityId) =>
      sql.query(
        `SELECT platform::text AS platform, "chatId", locale FROM "ChatBinding"
         WHERE "communityId" = $1 ORDER BY "createdAt", id`,
        [communityId],
      ),

    async proposal(communityId, number) {
      const [row] = await rows('p."communityId" = $1 AND p.number = $2', [communityId, number]);
      return row;
    },

    open: (communityId) =>
      rows(
        `p."communityId" = $1 AND (p.state::text <> ALL($2::text[]) OR EXISTS (
           SELECT 1 FROM "Resolution" r WHERE r."proposalId" = p.id AND r.state <> 'evaluated'))`,
        [communityId, [...FINAL_PROPOSAL_STATES]],
      ),

    async points(residentId, limit) {
      const [sum] = await sql.query<{ balance: number }>(
        `SELECT coalesce(sum(amount), 0)::int AS balance FROM "PointsEntry" WHERE "residentId" = $1`,
        [residentId],
      );
      const recent = await sql.query<PointsEntryRecord>(
        `SELECT kind, amount, subject, at FROM "PointsEntry" WHERE "residentId" = $1
         ORDER BY at DESC, id DESC LIMIT $2`,
        [residentId, limit],
      );
      return { balance: sum?.balance ?? 0, recent };
    },
  };
}
