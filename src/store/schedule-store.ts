/**
 * The deadline workers' ports (the vote close in SQL, the readers still on Prisma): the subjects whose
 * deadlines are pending, the chats notices go to, the outbox feed, the
 * NoticeSent ledger, and the reads a notice is rendered from.
 */
import type { NoticeReader, VoterStanding } from '../app/notices.ts';
import type {
  AuditInput,
  ChatTarget,
  Platform,
  ProposalRecord,
  ResolutionRecord,
  ResolutionStateName,
} from '../app/ports.ts';
import type {
  BoundChat,
  ChoiceTally,
  DeadlineSubject,
  NoticeLedger,
  NoticeTx,
  OutboxFeed,
  ScheduledCommunity,
  ScheduleReader,
  VoteCloseStore,
  VoteCloseTx,
} from '../app/schedule-ports.ts';
import type { LadderAudience } from '../domain/escalation.ts';
import { appendAudit, auditRow } from './audit-append.ts';
import { toCommunityRecord } from './community-record.ts';
import type { Database } from './database.ts';
import { type Community, Prisma, type PrismaClient } from './generated/prisma/client.ts';
import type { SqlSession } from './sql-session.ts';
import { prismaStatusReader } from './status-store.ts';

const toScheduledCommunity = (row: Community): ScheduledCommunity => ({
  ...toCommunityRecord(row),
  createdAt: row.createdAt,
});

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
      return rows.map(toScheduledCommunity);
    },

    async community(id) {
      const row = await prisma.community.findUnique({ where: { id } });
      return row ? toScheduledCommunity(row) : undefined;
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
      return rows.map((b) => ({
        platform: b.platform,
        chatId: b.chatId,
        locale: b.locale,
        boundAt: b.createdAt,
      }));
    },

    async bindingsOf(communityIds) {
      const found = new Map<string, BoundChat[]>(communityIds.map((id) => [id, []]));
      if (communityIds.length === 0) return found;
      const rows = await prisma.chatBinding.findMany({
        where: { communityId: { in: [...communityIds] } },
        orderBy: { createdAt: 'asc' },
        select: { communityId: true, platform: true, chatId: true, locale: true, createdAt: true },
      });
      for (const { communityId, createdAt, ...chat } of rows) {
        found.get(communityId)?.push({ ...chat, boundAt: createdAt });
      }
      return found;
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

type LockedProposalRow = Omit<ProposalRecord, 'tally'> & {
  tallyFor: number | null;
  tallyAgainst: number | null;
  tallyAbstain: number | null;
};

const LOCKED_PROPOSAL_COLUMNS = `id, "communityId", number, title, body, category, "authorId",
  state::text AS state, "createdAt", "cosignDeadline", "cosignThreshold", "cosignCount",
  "agendaAt", "votingOpensAt", "votingClosesAt", "eligibleCount", "closedAt", "tallyFor",
  "tallyAgainst", "tallyAbstain", "withdrawnAt", "followUpOf"`;

const toLockedProposal = ({
  tallyFor,
  tallyAgainst,
  tallyAbstain,
  ...rest
}: LockedProposalRow): ProposalRecord => ({
  ...rest,
  tally:
    tallyFor === null || tallyAgainst === null || tallyAbstain === null
      ? null
      : { for: tallyFor, against: tallyAgainst, abstain: tallyAbstain },
});

const countsOf = (rows: { proposalId: string; choice: keyof ChoiceTally; n: number }[]) => {
  const counts = new Map<string, ChoiceTally>();
  for (const row of rows) {
    const tally = counts.get(row.proposalId) ?? { for: 0, against: 0, abstain: 0 };
    tally[row.choice] = row.n;
    counts.set(row.proposalId, tally);
  }
  return counts;
};

/**
 * The batched close: a batch is six
 * statements whatever its size, with arrays for the lists (unnest), so the
 * statement text is the same for every batch.
 */
function sqlVoteCloseTx(db: SqlSession): VoteCloseTx {
  return {
    async lockProposals(targets) {
      if (targets.length === 0) return [];
      // In id order, so two batches that overlap lock in the same order and never deadlock.
      const rows = await db.query<LockedProposalRow>(
        `SELECT ${LOCKED_PROPOSAL_COLUMNS} FROM "Proposal"
         WHERE ("communityId", number) IN (SELECT * FROM unnest($1::text[], $2::int[]))
         ORDER BY id FOR UPDATE`,
        [targets.map((t) => t.communityId), targets.map((t) => String(t.number))],
      );
      return rows.map(toLockedProposal);
    },

    async communities(ids) {
      if (ids.length === 0) return [];
      // Every column, so the row is a Community as toCommunityRecord reads it.
      const rows = await db.query<Community>(
        'SELECT * FROM "Community" WHERE id = ANY($1::text[])',
        [[...ids]],
      );
      return rows.map(toCommunityRecord);
    },

    async ballotCounts(proposalIds) {
      if (proposalIds.length === 0) return new Map();
      return countsOf(
        await db.query(
          `SELECT "proposalId", choice::text AS choice, count(*)::int AS n FROM "Ballot"
           WHERE "proposalId" = ANY($1::text[]) GROUP BY 1, 2`,
          [[...proposalIds]],
        ),
      );
    },

    async closeProposals(rows, closedAt) {
      if (rows.length === 0) return;
      await db.execute(
        `UPDATE "Proposal" AS p
         SET state = v.state::"ProposalState", "closedAt" = $6,
             "tallyFor" = v.f, "tallyAgainst" = v.a, "tallyAbstain" = v.ab
         FROM unnest($1::text[], $2::text[], $3::int[], $4::int[], $5::int[]) AS v(id, state, f, a, ab)
         WHERE p.id = v.id`,
        [
          rows.map((r) => r.id),
          rows.map((r) => r.state),
          rows.map((r) => String(r.tally.for)),
          rows.map((r) => String(r.tally.against)),
          rows.map((r) => String(r.tally.abstain)),
          closedAt,
        ],
      );
    },

    async appendAudits(entries) {
      if (entries.length === 0) return;
      const hashed = entries.map(auditRow);
      // WITH ORDINALITY keeps the entries' order in their sequence numbers.
      await db.execute(
        `INSERT INTO "AuditEntry" ("communityId", actor, action, subject, payload, "payloadHash", at)
         SELECT e.c, e.actor, e.action, e.subject, e.payload::jsonb, e.hash, e.at
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[], $7::timestamp(3)[])
           WITH ORDINALITY AS e(c, actor, action, subject, payload, hash, at, i)
         ORDER BY e.i`,
        [
          entries.map((e) => e.communityId),
          entries.map((e) => e.actor),
          entries.map((e) => e.action),
          entries.map((e) => e.subject),
          hashed.map((h) => JSON.stringify(h.payload)),
          hashed.map((h) => h.payloadHash),
          entries.map((e) => e.at.toISOString()),
        ],
      );
    },

    async recordPublications(publications, at) {
      if (publications.length === 0) return;
      await db.execute(
        `INSERT INTO "Outbox" (id, "communityId", number, kind, announcement, "createdAt")
         SELECT p.id, p.c, p.number, p.kind, true, $5
         FROM unnest($1::text[], $2::text[], $3::int[], $4::text[]) AS p(id, c, number, kind)`,
        [
          publications.map((p) => p.id),
          publications.map((p) => p.communityId),
          publications.map((p) => String(p.number)),
          publications.map((p) => p.kind),
          at,
        ],
      );
    },
  };
}

/**
 * Closes many votes per transaction (the deadline worker batches the votes
 * due together).
 */
export function voteCloseStore({ sql }: Pick<Database, 'sql'>): VoteCloseStore {
  return { transact: (work) => sql.transaction((db) => work(sqlVoteCloseTx(db))) };
}
