/**
 * Prisma implementation of the deadline workers' ports: the subjects whose
 * deadlines are pending, the chats notices go to, the outbox feed, the
 * NoticeSent ledger, and the reads a notice is rendered from.
 */
import type { NoticeReader, VoterStanding } from '../app/notices.ts';
import type {
  ChatTarget,
  Platform,
  ProposalRecord,
  ResolutionRecord,
  ResolutionStateName,
} from '../app/ports.ts';
import type {
  DeadlineSubject,
  NoticeLedger,
  NoticeTx,
  OutboxFeed,
  ScheduleReader,
} from '../app/schedule-ports.ts';
import type { LadderAudience } from '../domain/escalation.ts';
import { appendAudit } from './audit-append.ts';
import { toCommunityRecord } from './community-record.ts';
import { Prisma, type PrismaClient } from './generated/prisma/client.ts';
import { prismaStatusReader } from './status-store.ts';

const WITH_SUBJECT = { resolution: true } satisfies Prisma.ProposalInclude;

type SubjectRow = Prisma.ProposalGetPayload<{ include: typeof WITH_SUBJECT }>;

async function toSubjects(prisma: PrismaClient, rows: SubjectRow[]): Promise<DeadlineSubject[]> {
  const leadIds = [
    ...new Set(rows.flatMap((r) => (r.resolution ? [r.resolution.leadUnitId] : []))),
  ];
  const units =
    leadIds.length === 0
      ? []
      : await prisma.executingUnit.findMany({
          where: { id: { in: leadIds } },
          select: { id: true, name: true },
        });
  const names = new Map(units.map((u) => [u.id, u.name]));
  const communityIds = [...new Set(rows.map((r) => r.communityId))];
  const communities = new Map(
    (await prisma.community.findMany({ where: { id: { in: communityIds } } })).map((c) => [
      c.id,
      toCommunityRecord(c),
    ]),
  );
  return rows.flatMap((row) => {
    const { resolution, tallyFor, tallyAgainst, tallyAbstain, ...proposal } = row;
    const community = communities.get(row.communityId);
    if (!community) return [];
    const record: ProposalRecord = {
      ...proposal,
      tally:
        tallyFor === null || tallyAgainst === null || tallyAbstain === null
          ? null
          : { for: tallyFor, against: tallyAgainst, abstain: tallyAbstain },
    };
    return {
      community,
      proposal: record,
      resolution: resolution
        ? ({
            ...resolution,
            number: row.number,
            leadUnit: names.get(resolution.leadUnitId) ?? '',
            milestones: (resolution.milestones ?? []) as ResolutionRecord['milestones'],
          } satisfies ResolutionRecord)
        : null,
    };
  });
}

const targets = (rows: { platform: Platform; userId: string }[]): ChatTarget[] => {
  const seen = new Map<string, ChatTarget>();
  for (const r of rows)
    seen.set(`${r.platform}/${r.userId}`, { platform: r.platform, chatId: r.userId });
  return [...seen.values()];
};

export function prismaScheduleReader(prisma: PrismaClient): ScheduleReader {
  const one = async (where: Prisma.ProposalWhereInput) => {
    const row = await prisma.proposal.findFirst({ where, include: WITH_SUBJECT });
    return row ? (await toSubjects(prisma, [row]))[0] : undefined;
  };
  return {
    subject: (communityId, number) => one({ communityId, number }),
    subjectById: (id) => one({ id }),

    async subjects(refs) {
      if (refs.length === 0) return [];
      const rows = await prisma.proposal.findMany({
        where: { OR: refs.map(({ communityId, number }) => ({ communityId, number })) },
        include: WITH_SUBJECT,
      });
      return toSubjects(prisma, rows);
    },

    async pendingSubjects(afterId, limit) {
      const rows = await prisma.proposal.findMany({
        where: {
          ...(afterId === null ? {} : { id: { gt: afterId } }),
          OR: [
            { state: { in: ['collecting', 'noticed', 'voting'] } },
            { resolution: { is: { state: { in: ['assigned', 'in_progress', 'done'] } } } },
          ],
        },
        include: WITH_SUBJECT,
        orderBy: { id: 'asc' },
        take: limit,
      });
      return toSubjects(prisma, rows);
    },

    async communities(afterId, limit) {
      const rows = await prisma.community.findMany({
        where: afterId === null ? {} : { id: { gt: afterId } },
        orderBy: { id: 'asc' },
        take: limit,
      });
      return rows.map(toCommunityRecord);
    },

    async community(id) {
      const row = await prisma.community.findUnique({ where: { id } });
      return row ? toCommunityRecord(row) : undefined;
    },

    async sentNotices(keys) {
      if (keys.length === 0) return new Set();
      const rows = await prisma.noticeSent.findMany({
        where: { key: { in: [...keys] } },
        select: { key: true },
      });
      return new Set(rows.map((r) => r.key));
    },

    async bindings(communityId) {
      const rows = await prisma.chatBinding.findMany({
        where: { communityId },
        orderBy: { createdAt: 'asc' },
      });
      return rows.map((b) => ({ platform: b.platform, chatId: b.chatId, locale: b.locale }));
    },

    async nonVoterChats(proposalId, voterUnit) {
      // Household voters: every linked resident of the household; resident voters: themselves.
      const join =
        voterUnit === 'household'
          ? Prisma.sql`r."householdId" = e."householdId"`
          : Prisma.sql`r.id = e."voterKey"`;
      const rows = await prisma.$queryRaw<{ platform: Platform; userId: string }[]>`
        SELECT ci.platform::text AS platform, ci."userId" AS "userId"
        FROM "Eligibility" e
        JOIN "Resident" r ON ${join}
        JOIN "ChatIdentity" ci ON ci."residentId" = r.id
        WHERE e."proposalId" = ${proposalId}
          AND NOT EXISTS (
            SELECT 1 FROM "Ballot" b
            WHERE b."proposalId" = e."proposalId" AND b."voterKey" = e."voterKey")
        ORDER BY ci.platform, ci."userId"`;
      return targets(rows);
    },

    async audienceChats(communityId, leadUnitId, audience: readonly LadderAudience[]) {
      const who: Prisma.Sql[] = [];
      if (audience.includes('lead_unit')) who.push(Prisma.sql`r."executingUnitId" = ${leadUnitId}`);
      for (const role of ['committee', 'supervisor', 'street_office'] as const) {
        // Scalar comparisons only: the embedded database's adapter mangles array parameters.
        if (audience.includes(role)) who.push(Prisma.sql`${role}::"Role" = ANY(r.roles)`);
      }
      if (who.length === 0) return [];
      const rows = await prisma.$queryRaw<{ platform: Platform; userId: string }[]>`
        SELECT ci.platform::text AS platform, ci."userId" AS "userId"
        FROM "ChatIdentity" ci JOIN "Resident" r ON r.id = ci."residentId"
        WHERE ci."communityId" = ${communityId} AND (${Prisma.join(who, ' OR ')})
        ORDER BY ci.platform, ci."userId"`;
      return targets(rows);
    },
  };
}

export function prismaOutboxFeed(prisma: PrismaClient): OutboxFeed {
  return {
    async pending(limit) {
      const rows = await prisma.outbox.findMany({
        where: { relayedAt: null },
        orderBy: [{ createdAt: 'asc' }, { id: 'asc' }],
        take: limit,
      });
      return rows.map(({ relayedAt: _relayed, ...row }) => row);
    },
    async markRelayed(ids, at) {
      if (ids.length === 0) return;
      await prisma.outbox.updateMany({
        where: { id: { in: [...ids] }, relayedAt: null },
        data: { relayedAt: at },
      });
    },
  };
}

function noticeTx(tx: Prisma.TransactionClient): NoticeTx {
  return {
    async lockResolution(proposalId) {
      const rows = await tx.$queryRaw<
        { id: string; state: ResolutionStateName; escalationLevel: number }[]
      >`
        SELECT id, state::text AS state, "escalationLevel"
        FROM "Resolution" WHERE "proposalId" = ${proposalId} FOR UPDATE`;
      return rows[0];
    },
    async setEscalationLevel(resolutionId, level) {
      await tx.resolution.update({ where: { id: resolutionId }, data: { escalationLevel: level } });
    },
    appendAudit: (entry) => appendAudit(tx, entry),
    async recordPublications(publications, at) {
      await tx.outbox.createMany({
        data: publications.map((p) => ({ ...p, announcement: true, createdAt: at })),
      });
    },
  };
}

export function prismaNoticeLedger(prisma: PrismaClient): NoticeLedger {
  return {
    record: (key, at, work) =>
      prisma.$transaction(
        async (tx) => {
          // A concurrent recorder of the same key waits here until the first commits, then sees 0.
          const claimed = await tx.$executeRaw`
            INSERT INTO "NoticeSent" (key, at) VALUES (${key}, ${at}) ON CONFLICT DO NOTHING`;
          if (claimed === 0) return { recorded: false as const };
          return { recorded: true as const, outcome: await work(noticeTx(tx)) };
        },
        { timeout: 30_000, maxWait: 30_000 },
      ),
  };
}

export function prismaNoticeReader(prisma: PrismaClient): NoticeReader {
  return {
    ...prismaStatusReader(prisma),

    async chatLocale(platform, chatId) {
      const binding = await prisma.chatBinding.findUnique({
        where: { platform_chatId: { platform, chatId } },
        select: { locale: true },
      });
      if (binding?.locale) return binding.locale;
      const preference = await prisma.chatPreference.findUnique({
        where: { platform_chatId: { platform, chatId } },
        select: { locale: true },
      });
      return preference?.locale ?? null;
    },

    async voterStanding(proposalId, communityId, platform, userId, voterUnit) {
      const identity = await prisma.chatIdentity.findUnique({
        where: { communityId_platform_userId: { communityId, platform, userId } },
        select: { resident: { select: { id: true, householdId: true } } },
      });
      if (!identity) return 'not_eligible' satisfies VoterStanding;
      const voterKey =
        voterUnit === 'household' ? identity.resident.householdId : identity.resident.id;
      const key = { proposalId_voterKey: { proposalId, voterKey } };
      const [eligible, ballot] = await Promise.all([
        prisma.eligibility.findUnique({ where: key, select: { voterKey: true } }),
        prisma.ballot.findUnique({ where: key, select: { voterKey: true } }),
      ]);
      if (!eligible) return 'not_eligible';
      return ballot ? 'voted' : 'not_voted';
    },

    async activity(communityId, from, to) {
      const rows = await prisma.$queryRaw<
        { ballots: number; cosigns: number; households: number }[]
      >`
        WITH b AS (
          SELECT e."householdId" FROM "Ballot" b
          JOIN "Proposal" p ON p.id = b."proposalId"
          JOIN "Eligibility" e ON e."proposalId" = b."proposalId" AND e."voterKey" = b."voterKey"
          WHERE p."communityId" = ${communityId} AND b."castAt" >= ${from} AND b."castAt" < ${to}),
        c AS (
          SELECT r."householdId" FROM "Cosign" c
          JOIN "Proposal" p ON p.id = c."proposalId"
          JOIN "Resident" r ON r.id = c."residentId"
          WHERE p."communityId" = ${communityId} AND c.at >= ${from} AND c.at < ${to})
        SELECT (SELECT count(*) FROM b)::int AS ballots,
               (SELECT count(*) FROM c)::int AS cosigns,
               (SELECT count(DISTINCT h) FROM (
                  SELECT "householdId" AS h FROM b UNION SELECT "householdId" FROM c) u)::int
                 AS households`;
      return rows[0] ?? { ballots: 0, cosigns: 0, households: 0 };
    },
  };
}
