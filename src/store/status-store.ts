/**
 * Prisma implementation of the read side ({@link StatusReader}): plain reads,
 * no locks; each view is as fresh as the moment it is read.
 */
import type { CommunityRecord, ResolutionRecord } from '../app/ports.ts';
import type { PointsEntryRecord, ProposalStatusRow, StatusReader } from '../app/status.ts';
import { FINAL_PROPOSAL_STATES } from '../domain/proposal.ts';
import { toCommunityRecord } from './community-record.ts';
import type { Prisma, PrismaClient } from './generated/prisma/client.ts';

const WITH_STATUS = {
  resolution: true,
  _count: { select: { ballots: true } },
} satisfies Prisma.ProposalInclude;

type ProposalWithStatus = Prisma.ProposalGetPayload<{ include: typeof WITH_STATUS }>;

type Household = { building: string; unit: string };

function toRow(
  row: ProposalWithStatus,
  unitNames: ReadonlyMap<string, string>,
  authors: ReadonlyMap<string, Household>,
): ProposalStatusRow {
  const { resolution, _count, tallyFor, tallyAgainst, tallyAbstain, ...proposal } = row;
  return {
    proposal: {
      ...proposal,
      tally:
        tallyFor === null || tallyAgainst === null || tallyAbstain === null
          ? null
          : { for: tallyFor, against: tallyAgainst, abstain: tallyAbstain },
    },
    ballots: _count.ballots,
    author: authors.get(row.authorId) ?? null,
    resolution: resolution
      ? ({
          ...resolution,
          number: row.number,
          leadUnit: unitNames.get(resolution.leadUnitId) ?? '',
          milestones: (resolution.milestones ?? []) as ResolutionRecord['milestones'],
        } satisfies ResolutionRecord)
      : null,
  };
}

export function prismaStatusReader(prisma: PrismaClient): StatusReader {
  async function rows(
    where: Prisma.ProposalWhereInput,
    take?: number,
  ): Promise<ProposalStatusRow[]> {
    const found = await prisma.proposal.findMany({
      where,
      include: WITH_STATUS,
      orderBy: { number: 'asc' },
      ...(take === undefined ? {} : { take }),
    });
    const leadIds = [
      ...new Set(found.flatMap((p) => (p.resolution ? [p.resolution.leadUnitId] : []))),
    ];
    const authorIds = [...new Set(found.map((p) => p.authorId))];
    const [units, residents] = await Promise.all([
      leadIds.length === 0
        ? []
        : prisma.executingUnit.findMany({
            where: { id: { in: leadIds } },
            select: { id: true, name: true },
          }),
      authorIds.length === 0
        ? []
        : prisma.resident.findMany({
            where: { id: { in: authorIds } },
            select: {
              id: true,
              household: { select: { unit: true, building: { select: { name: true } } } },
            },
          }),
    ]);
    const names = new Map(units.map((u) => [u.id, u.name]));
    const authors = new Map(
      residents.map((r) => [r.id, { building: r.household.building.name, unit: r.household.unit }]),
    );
    return found.map((p) => toRow(p, names, authors));
  }

  return {
    async community(communityId): Promise<CommunityRecord | undefined> {
      const row = await prisma.community.findUnique({ where: { id: communityId } });
      return row ? toCommunityRecord(row) : undefined;
    },

    async bindings(communityId) {
      const found = await prisma.chatBinding.findMany({
        where: { communityId },
        orderBy: { createdAt: 'asc' },
      });
      return found.map((b) => ({ platform: b.platform, chatId: b.chatId, locale: b.locale }));
    },

    async proposal(communityId, number) {
      const [row] = await rows({ communityId, number }, 1);
      return row;
    },

    open: (communityId) =>
      rows({
        communityId,
        OR: [
          { state: { notIn: [...FINAL_PROPOSAL_STATES] } },
          { resolution: { is: { state: { not: 'evaluated' } } } },
        ],
      }),

    async points(residentId, limit) {
      const [sum, entries] = await Promise.all([
        prisma.pointsEntry.aggregate({ where: { residentId }, _sum: { amount: true } }),
        prisma.pointsEntry.findMany({
          where: { residentId },
          orderBy: [{ at: 'desc' }, { id: 'desc' }],
          take: limit,
          select: { kind: true, amount: true, subject: true, at: true },
        }),
      ]);
      const recent: PointsEntryRecord[] = entries;
      return { balance: sum._sum.amount ?? 0, recent };
    },
  };
}
