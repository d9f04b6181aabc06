/**
 * Prisma implementation of the deliberation ports. Concurrency is handled by
 * row locks the use cases ask for (`lock: 'update' | 'share'`): a proposal row
 * locked FOR UPDATE serialises co-signs and state changes; ballots take it
 * FOR SHARE, so they run in parallel with each other but not with the close.
 */
import type {
  Actor,
  ActorRef,
  BallotRecord,
  DeliberationStore,
  DeliberationTx,
  ProposalRecord,
  ResolutionRecord,
  Voter,
} from '../app/ports.ts';
import type { Role } from '../app/roster-row.ts';
import { appendAudit } from './audit-append.ts';
import { toCommunityRecord } from './community-record.ts';
import { sqlPoolOf } from './database.ts';
import { Prisma, type PrismaClient } from './generated/prisma/client.ts';
import { sqlDeliberationStore } from './sql-deliberation-store.ts';

type Tx = Prisma.TransactionClient;
type Lock = 'update' | 'share' | 'none';

const TRANSACTION = { timeout: 30_000, maxWait: 30_000 };

function lockClause(lock: Lock): Prisma.Sql {
  if (lock === 'update') return Prisma.sql`FOR UPDATE`;
  if (lock === 'share') return Prisma.sql`FOR SHARE`;
  return Prisma.empty;
}

type ProposalRow = Omit<ProposalRecord, 'tally' | 'state'> & {
  state: ProposalRecord['state'];
  tallyFor: number | null;
  tallyAgainst: number | null;
  tallyAbstain: number | null;
};

function toProposal(row: ProposalRow): ProposalRecord {
  const { tallyFor, tallyAgainst, tallyAbstain, ...rest } = row;
  return {
    ...rest,
    tally:
      tallyFor === null || tallyAgainst === null || tallyAbstain === null
        ? null
        : { for: tallyFor, against: tallyAgainst, abstain: tallyAbstain },
  };
}

async function lockedProposal(
  tx: Tx,
  where: Prisma.Sql,
  lock: Lock,
): Promise<ProposalRecord | undefined> {
  const rows = await tx.$queryRaw<ProposalRow[]>`
    SELECT id, "communityId", number, title, body, category, "authorId", state::text AS state,
           "createdAt", "cosignDeadline", "cosignThreshold", "cosignCount", "agendaAt",
           "votingOpensAt", "votingClosesAt", "eligibleCount", "closedAt", "tallyFor",
           "tallyAgainst", "tallyAbstain", "withdrawnAt", "followUpOf"
    FROM "Proposal" WHERE ${where} ${lockClause(lock)}`;
  const row = rows[0];
  return row ? toProposal(row) : undefined;
}

async function loadActor(tx: Tx, residentId: string): Promise<Actor | undefined> {
  const r = await tx.resident.findUnique({
    where: { id: residentId },
    include: { household: { include: { building: true } }, community: true },
  });
  if (!r) return undefined;
  return {
    residentId: r.id,
    name: r.name,
    householdId: r.householdId,
    unit: r.household.unit,
    buildingId: r.household.buildingId,
    building: r.household.building.name,
    roles: r.roles as Role[],
    executingUnitId: r.executingUnitId,
    community: toCommunityRecord(r.community),
  };
}

function deliberationTx(tx: Tx): DeliberationTx {
  return {
    async actor(ref: ActorRef) {
      if (ref.kind === 'resident')
        return (await loadActor(tx, ref.residentId)) ?? { kind: 'not_joined' };
      const binding = await tx.chatBinding.findUnique({
        where: { platform_chatId: { platform: ref.platform, chatId: ref.chatId } },
      });
      // A group acts only for the community it is bound to.
      if (!binding && !ref.isPrivate) return { kind: 'chat_not_bound' };
      const identities = await tx.chatIdentity.findMany({
        where: {
          platform: ref.platform,
          userId: ref.userId,
          ...(binding ? { communityId: binding.communityId } : {}),
        },
      });
      if (!binding && identities.length === 0) return { kind: 'chat_not_bound' };
      // In a private chat the account's only community is the context.
      const identity = identities.length === 1 ? identities[0] : undefined;
      if (!identity) return { kind: 'not_joined' };
      return (await loadActor(tx, identity.residentId)) ?? { kind: 'not_joined' };
    },

    async community(id) {
      const row = await tx.community.findUnique({ where: { id } });
      return row ? toCommunityRecord(row) : undefined;
    },

    async nextProposalNumber(communityId) {
      const rows = await tx.$queryRaw<{ number: number }[]>`
        UPDATE "Community" SET "nextProposalNumber" = "nextProposalNumber" + 1
        WHERE id = ${communityId} RETURNING "nextProposalNumber" - 1 AS number`;
      const number = rows[0]?.number;
      if (number === undefined) throw new Error(`community ${communityId} not found`);
      return number;
    },

    async voters(communityId, unit) {
      if (unit === 'household') {
        // A household votes once it has at least one resident on the roster.
        const rows = await tx.household.findMany({
          where: { communityId, residents: { some: {} } },
          select: { id: true, buildingId: true },
        });
        return rows.map((h) => ({ voterKey: h.id, householdId: h.id, buildingId: h.buildingId }));
      }
      const rows = await tx.resident.findMany({
        where: { communityId },
        select: { id: true, householdId: true, household: { select: { buildingId: true } } },
      });
      return rows.map((r) => ({
        voterKey: r.id,
        householdId: r.householdId,
        buildingId: r.household.buildingId,
      }));
    },

    proposal: (communityId, number, lock) =>
      lockedProposal(tx, Prisma.sql`"communityId" = ${communityId} AND number = ${number}`, lock),
    proposalById: (id, lock) => lockedProposal(tx, Prisma.sql`id = ${id}`, lock),

    async insertProposal(p) {
      const { tally, ...rest } = p;
      await tx.proposal.create({
        data: {
          ...rest,
          tallyFor: tally?.for ?? null,
          tallyAgainst: tally?.against ?? null,
          tallyAbstain: tally?.abstain ?? null,
        },
      });
    },

    async updateProposal(id, patch) {
      const { tally, ...rest } = patch;
      await tx.proposal.update({
        where: { id },
        data: {
          ...rest,
          ...(tally !== undefined
            ? {
                tallyFor: tally?.for ?? null,
                tallyAgainst: tally?.against ?? null,
                tallyAbstain: tally?.abstain ?? null,
              }
            : {}),
        },
      });
    },

    async addCosign(proposalId, voterKey, residentId, at) {
      const inserted = await tx.$executeRaw`
        INSERT INTO "Cosign" ("proposalId", "voterKey", "residentId", at)
        VALUES (${proposalId}, ${voterKey}, ${residentId}, ${at})
        ON CONFLICT DO NOTHING`;
      return inserted === 1;
    },

    async snapshotEligibility(proposalId, voters: readonly Voter[]) {
      if (voters.length === 0) return;
      await tx.eligibility.createMany({
        data: voters.map((v) => ({ proposalId, ...v })),
        skipDuplicates: true,
      });
    },

    async eligibility(proposalId, voterKey) {
      const row = await tx.eligibility.findUnique({
        where: { proposalId_voterKey: { proposalId, voterKey } },
      });
      return row
        ? { voterKey: row.voterKey, householdId: row.householdId, buildingId: row.buildingId }
        : undefined;
    },

    async lockBallot(proposalId, voterKey) {
      // The advisory lock serialises the first ballot of a voter too, when no row exists yet to lock.
      await tx.$executeRaw`SELECT pg_advisory_xact_lock(hashtextextended(${`${proposalId}/${voterKey}`}, 0))`;
      const row = await tx.ballot.findUnique({
        where: { proposalId_voterKey: { proposalId, voterKey } },
      });
      return row ?? undefined;
    },

    async putBallot(ballot: BallotRecord, previous, historyId, at) {
      if (previous) {
        await tx.ballotHistory.create({ data: { id: historyId, ...previous, supersededAt: at } });
      }
      await tx.ballot.upsert({
        where: {
          proposalId_voterKey: { proposalId: ballot.proposalId, voterKey: ballot.voterKey },
        },
        create: ballot,
        update: ballot,
      });
    },

    async ballotCounts(proposalId) {
      const rows = await tx.ballot.groupBy({
        by: ['choice'],
        where: { proposalId },
        _count: { _all: true },
      });
      const counts = { for: 0, against: 0, abstain: 0 };
      for (const r of rows) counts[r.choice] = r._count._all;
      return counts;
    },

    async householdByUnit(communityId, building, unit) {
      const rows = await tx.household.findMany({
        where: { communityId, unit, ...(building ? { building: { name: building } } : {}) },
        select: { id: true, buildingId: true, unit: true },
      });
      return rows.map((h) => ({ householdId: h.id, buildingId: h.buildingId, unit: h.unit }));
    },

    async executingUnitByName(communityId, name) {
      const row = await tx.executingUnit.findUnique({
        where: { communityId_name: { communityId, name } },
      });
      return row ? { id: row.id, name: row.name } : undefined;
    },

    async resolution(communityId, number, lock) {
      const proposal = await tx.proposal.findUnique({
        where: { communityId_number: { communityId, number } },
        select: { id: true },
      });
      if (!proposal) return undefined;
      if (lock === 'update') {
        await tx.$queryRaw`SELECT id FROM "Resolution" WHERE "proposalId" = ${proposal.id} FOR UPDATE`;
      }
      const row = await tx.resolution.findUnique({ where: { proposalId: proposal.id } });
      if (!row) return undefined;
      const lead = await tx.executingUnit.findUnique({ where: { id: row.leadUnitId } });
      return {
        ...row,
        number,
        leadUnit: lead?.name ?? '',
        milestones: (row.milestones ?? []) as ResolutionRecord['milestones'],
      };
    },

    async insertResolution(r) {
      await tx.resolution.create({ data: { ...r, milestones: r.milestones } });
    },

    async updateResolution(id, patch) {
      await tx.resolution.update({ where: { id }, data: patch });
    },

    async insertProgressReport(r) {
      await tx.progressReport.create({ data: r });
    },

    async putSurveyAnswer(a) {
      await tx.surveyAnswer.upsert({
        where: { resolutionId_voterKey: { resolutionId: a.resolutionId, voterKey: a.voterKey } },
        create: a,
        update: { satisfied: a.satisfied, residentId: a.residentId, at: a.at },
      });
      return surveyCounts(tx, a.resolutionId);
    },

    surveyCounts: (resolutionId) => surveyCounts(tx, resolutionId),

    async awardPoints(award, id) {
      const inserted = await tx.$executeRaw`
        INSERT INTO "PointsEntry" (id, "communityId", "residentId", kind, amount, subject, at)
        VALUES (${id}, ${award.communityId}, ${award.residentId}, ${award.kind}, ${award.amount}, ${award.subject}, ${award.at})
        ON CONFLICT ("residentId", kind, subject) DO NOTHING`;
      return inserted === 1;
    },

    appendAudit: (entry) => appendAudit(tx, entry),
    recordPublications: async (publications, at, announcement) => {
      await tx.outbox.createMany({
        data: publications.map((p) => ({
          id: p.id,
          communityId: p.communityId,
          number: p.number,
          kind: p.kind,
          announcement,
          createdAt: at,
        })),
      });
    },
  };
}

async function surveyCounts(tx: Tx, resolutionId: string) {
  const [answered, satisfied] = await Promise.all([
    tx.surveyAnswer.count({ where: { resolutionId } }),
    tx.surveyAnswer.count({ where: { resolutionId, satisfied: true } }),
  ]);
  return { satisfied, answered };
}

/** Retries a transaction that lost a deadlock or serialization race (PostgreSQL 40P01 / 40001). */
async function withRetry<T>(work: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await work();
    } catch (error) {
      const text = String((error as { message?: unknown }).message ?? error);
      const retryable = /40P01|40001|deadlock detected|could not serialize/.test(text);
      if (!retryable || attempt >= 5) throw error;
    }
  }
}

/**
 * The deliberation store: on PostgreSQL the SQL implementation over the
 * client's own pool (sql-deliberation-store.ts; Prisma's per-statement cost
 * in interactive transactions limited a vote to ~70/s), on PGlite Prisma's.
 */
export function prismaDeliberationStore(prisma: PrismaClient): DeliberationStore {
  const pool = sqlPoolOf(prisma);
  if (pool) return sqlDeliberationStore(pool);
  return {
    transact: (work) =>
      withRetry(() => prisma.$transaction((tx) => work(deliberationTx(tx)), TRANSACTION)),

    once: (key, at, work) =>
      withRetry(() =>
        prisma.$transaction(async (tx) => {
          // A concurrent duplicate blocks here on the unique key until the first commits, then replays.
          const claimed = await tx.$executeRaw`
            INSERT INTO "IdempotencyRecord" (key, at) VALUES (${key}, ${at}) ON CONFLICT DO NOTHING`;
          if (claimed === 0) {
            const record = await tx.idempotencyRecord.findUnique({ where: { key } });
            return { replayed: true, outcome: record?.outcome as never };
          }
          const outcome = await work(deliberationTx(tx));
          await tx.idempotencyRecord.update({
            where: { key },
            data: { outcome: JSON.parse(JSON.stringify(outcome ?? null)) as Prisma.InputJsonValue },
          });
          return { replayed: false, outcome };
        }, TRANSACTION),
      ),
  };
}
