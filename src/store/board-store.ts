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
import type { ResolutionRecord } from '../app/ports.ts';
import type { ProposalStatusRow } from '../app/status.ts';
import { checkSealedAudit } from './audit-seal.ts';
import { toCommunityRecord } from './community-record.ts';
import type { Community, PrismaClient } from './generated/prisma/client.ts';

type KeyRow = Pick<Community, 'id' | 'name' | 'timezone' | 'locale' | 'policy' | 'boardKey'> & {
  version: string | null;
};

export function prismaBoardReader(prisma: PrismaClient): BoardReader {
  return {
    async find(key): Promise<BoardKeyRow | undefined> {
      // One round trip per request: the community and its change counter (the
      // newest audit entry; every state change the board shows is audited).
      const rows = await prisma.$queryRaw<KeyRow[]>`
        SELECT c.id, c.name, c.timezone, c.locale, c.policy, c."boardKey",
               (SELECT max(a.seq) FROM "AuditEntry" a WHERE a."communityId" = c.id)::text AS version
          FROM "Community" c
         WHERE c."boardKey" = ${key} OR c.id = ${key}
         LIMIT 2`;
      const row = rows.find((r) => r.boardKey === key) ?? rows[0];
      if (!row) return undefined;
      return {
        community: toCommunityRecord({ ...row, createdAt: new Date(0), nextProposalNumber: 0 }),
        boardKey: row.boardKey,
        version: row.version ?? '0',
      };
    },

    async proposals(communityId, number) {
      const found = await prisma.proposal.findMany({
        where: { communityId, ...(number === undefined ? {} : { number }) },
        include: { resolution: true },
        orderBy: { number: 'asc' },
      });
      // Ballots are counted for open votes only: a closed vote shows its stored tally.
      const openIds = found.flatMap((p) =>
        p.tallyFor === null && p.eligibleCount !== null ? [p.id] : [],
      );
      const resolutionIds = found.flatMap((p) => (p.resolution ? [p.resolution.id] : []));
      const leadIds = [
        ...new Set(found.flatMap((p) => (p.resolution ? [p.resolution.leadUnitId] : []))),
      ];
      const [units, notes, counted] = await Promise.all([
        leadIds.length === 0
          ? []
          : prisma.executingUnit.findMany({
              where: { id: { in: leadIds } },
              select: { id: true, name: true },
            }),
        resolutionIds.length === 0
          ? []
          : prisma.progressReport.groupBy({
              by: ['resolutionId'],
              where: { resolutionId: { in: resolutionIds } },
              _max: { at: true },
            }),
        openIds.length === 0
          ? []
          : prisma.ballot.groupBy({
              by: ['proposalId'],
              where: { proposalId: { in: openIds } },
              _count: { _all: true },
            }),
      ]);
      const ballots = new Map(counted.map((b) => [b.proposalId, b._count._all]));
      const unitNames = new Map(units.map((u) => [u.id, u.name]));
      const noteAt = new Map(notes.map((n) => [n.resolutionId, n._max.at]));
      return found.map((row) => {
        const { resolution, tallyFor, tallyAgainst, tallyAbstain, ...proposal } = row;
        const status: ProposalStatusRow = {
          proposal: {
            ...proposal,
            tally:
              tallyFor === null || tallyAgainst === null || tallyAbstain === null
                ? null
                : { for: tallyFor, against: tallyAgainst, abstain: tallyAbstain },
          },
          ballots: ballots.get(row.id) ?? 0,
          author: null,
          resolution: resolution
            ? ({
                ...resolution,
                number: row.number,
                leadUnit: unitNames.get(resolution.leadUnitId) ?? '',
                milestones: (resolution.milestones ?? []) as ResolutionRecord['milestones'],
              } satisfies ResolutionRecord)
            : null,
        };
        return {
          ...status,
          latestNoteAt: resolution ? (noteAt.get(resolution.id) ?? null) : null,
        };
      });
    },

    async timeline(communityId, number): Promise<AuditEventRow[] | undefined> {
      const proposal = await prisma.proposal.findUnique({
        where: { communityId_number: { communityId, number } },
        select: { id: true, resolution: { select: { id: true } } },
      });
      if (!proposal) return undefined;
      const subjects = [`proposal:${proposal.id}`];
      if (proposal.resolution) subjects.push(`resolution:${proposal.resolution.id}`);
      return prisma.auditEntry.findMany({
        where: { communityId, subject: { in: subjects } },
        orderBy: { seq: 'asc' },
        select: { action: true, at: true, payload: true },
      });
    },

    async chain(communityId): Promise<ChainState> {
      // Read-only: a public GET never seals (the maintenance job does, hourly).
      const { verdict, sealedAt } = await checkSealedAudit(prisma, communityId);
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
      return prisma.auditEntry.findMany({
        where: { communityId, action: { in: [...actions] } },
        orderBy: { seq: 'desc' },
        take: limit,
        select: { action: true, at: true, payload: true, subject: true },
      });
    },

    async participation(communityId, { since, lastVotes }): Promise<ParticipationData> {
      const community = await prisma.community.findUniqueOrThrow({
        where: { id: communityId },
        select: { timezone: true },
      });
      const buildings = await prisma.$queryRaw<{ id: string; name: string; households: number }[]>`
        SELECT b.id, b.name, count(h.id)::int AS households
          FROM "Building" b LEFT JOIN "Household" h ON h."buildingId" = b.id
         WHERE b."communityId" = ${communityId}
         GROUP BY b.id, b.name ORDER BY b.name`;
      const votes = await prisma.proposal.findMany({
        where: {
          communityId,
          state: { in: ['passed', 'rejected', 'no_quorum'] },
          eligibleCount: { not: null },
        },
        orderBy: [{ votingClosesAt: 'desc' }, { number: 'desc' }],
        take: lastVotes,
        select: { id: true, number: true, votingClosesAt: true },
      });
      votes.reverse();
      const voteIds = votes.map((v) => v.id);
      const [turnout, cosigned, proposals, cosigns, months] = await Promise.all([
        voteIds.length === 0
          ? []
          : prisma.$queryRaw<
              { proposalId: string; buildingId: string; eligible: number; voted: number }[]
            >`
        SELECT e."proposalId", e."buildingId",
               count(DISTINCT e."householdId")::int AS eligible,
               count(DISTINCT e."householdId") FILTER (WHERE b."voterKey" IS NOT NULL)::int AS voted
          FROM "Eligibility" e
          LEFT JOIN "Ballot" b ON b."proposalId" = e."proposalId" AND b."voterKey" = e."voterKey"
         WHERE e."proposalId" = ANY(${voteIds})
         GROUP BY e."proposalId", e."buildingId"`,
        prisma.$queryRaw<{ buildingId: string; households: number }[]>`
        SELECT h."buildingId", count(DISTINCT h.id)::int AS households
          FROM "Cosign" c
          JOIN "Proposal" p ON p.id = c."proposalId"
          JOIN "Resident" r ON r.id = c."residentId"
          JOIN "Household" h ON h.id = r."householdId"
         WHERE p."communityId" = ${communityId} AND c.at >= ${since}
         GROUP BY h."buildingId"`,
        prisma.$queryRaw<{ householdId: string; n: number }[]>`
        SELECT r."householdId", count(*)::int AS n
          FROM "Proposal" p JOIN "Resident" r ON r.id = p."authorId"
         WHERE p."communityId" = ${communityId} AND p."createdAt" >= ${since}
         GROUP BY r."householdId"`,
        // The author's own first co-sign is part of proposing, not support from someone else.
        prisma.$queryRaw<{ householdId: string; n: number }[]>`
        SELECT r."householdId", count(*)::int AS n
          FROM "Cosign" c
          JOIN "Proposal" p ON p.id = c."proposalId"
          JOIN "Resident" r ON r.id = c."residentId"
         WHERE p."communityId" = ${communityId} AND c.at >= ${since} AND c."residentId" <> p."authorId"
         GROUP BY r."householdId"`,
        prisma.$queryRaw<{ month: string; households: number }[]>`
        SELECT to_char(t.at AT TIME ZONE ${community.timezone}, 'YYYY-MM') AS month,
               count(DISTINCT t.household)::int AS households
          FROM (
            SELECT r."householdId" AS household, p."createdAt" AS at
              FROM "Proposal" p JOIN "Resident" r ON r.id = p."authorId"
             WHERE p."communityId" = ${communityId}
            UNION ALL
            SELECT r."householdId", c.at
              FROM "Cosign" c JOIN "Proposal" p ON p.id = c."proposalId"
              JOIN "Resident" r ON r.id = c."residentId"
             WHERE p."communityId" = ${communityId}
            UNION ALL
            SELECT e."householdId", b."castAt"
              FROM "Ballot" b JOIN "Proposal" p ON p.id = b."proposalId"
              JOIN "Eligibility" e ON e."proposalId" = b."proposalId" AND e."voterKey" = b."voterKey"
             WHERE p."communityId" = ${communityId}
          ) t
         WHERE t.at >= ${since}
         GROUP BY 1 ORDER BY 1`,
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
export function prismaBoardKeys(prisma: PrismaClient): BoardKeys {
  return {
    async boardKey(communityId) {
      const row = await prisma.community.findUnique({
        where: { id: communityId },
        select: { boardKey: true },
      });
      return row?.boardKey ?? null;
    },
  };
}
