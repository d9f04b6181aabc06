/**
 * The deadline workers' ports: the subjects whose deadlines are pending, the
 * chats notices go to, the NoticeSent ledger, the reads a notice is
 * rendered from, and the batched vote close (the outbox feed is outbox-store.ts).
 */
import type { NoticeReader, VoterStanding } from '../app/notices.ts';
import type { ChatTarget } from '../app/ports/delivery.ts';
import type {
  BoundChat,
  DeadlineSubject,
  NoticeLedger,
  NoticeTx,
  ScheduledCommunity,
  ScheduleReader,
  VoteCloseStore,
  VoteCloseTx,
} from '../app/ports/schedule.ts';
import type { Platform, ResolutionStateName } from '../app/ports/store.ts';
import type { LadderAudience } from '../domain/escalation.ts';
import { auditRow, deferAudit } from './audit-append.ts';
import type { Database } from './database.ts';
import type { SqlDriver } from './sql-driver.ts';
import {
  ballotCountsOf,
  COMMUNITY_COLUMNS,
  type CommunityRow,
  communitiesWhere,
  deferOutbox,
  PROPOSAL_COLUMNS,
  type ProposalRow,
  proposalsWithResolutions,
  toCommunity,
  toProposal,
} from './sql-rows.ts';
import type { SqlSession, SqlValue } from './sql-session.ts';
import { statusReader } from './status-store.ts';
import { watchAlertReader } from './watch-store.ts';

const SCHEDULED_COMMUNITY = `SELECT ${COMMUNITY_COLUMNS}, c."createdAt" FROM "Community" c`;

const toScheduledCommunity = (row: CommunityRow & { createdAt: Date }): ScheduledCommunity => ({
  ...toCommunity(row),
  createdAt: row.createdAt,
});

const targets = (rows: { platform: Platform; userId: string }[]): ChatTarget[] => {
  const seen = new Map<string, ChatTarget>();
  for (const r of rows)
    seen.set(`${r.platform}/${r.userId}`, { platform: r.platform, chatId: r.userId });
  return [...seen.values()];
};

const CHAT_OF_RESIDENT = `SELECT ci.platform::text AS platform, ci."userId" AS "userId"`;

export function scheduleReader({ sql }: Pick<Database, 'sql'>): ScheduleReader {
  async function subjects(from: string, values: readonly SqlValue[]): Promise<DeadlineSubject[]> {
    const found = await proposalsWithResolutions(sql, from, values, {});
    const communityIds = [...new Set(found.map((f) => f.proposal.communityId))];
    const communities = new Map(
      (communityIds.length === 0
        ? []
        : await communitiesWhere(sql, 'WHERE c.id = ANY($1::text[])', [communityIds])
      ).map((c) => [c.id, c]),
    );
    return found.flatMap(({ proposal, resolution }) => {
      const community = communities.get(proposal.communityId);
      return community ? [{ community, proposal, resolution }] : [];
    });
  }
  async function bindingsOf(communityIds: readonly string[]) {
    const found = new Map<string, BoundChat[]>(communityIds.map((id) => [id, []]));
    if (communityIds.length === 0) return found;
    const rows = await sql.query<BoundChat & { communityId: string }>(
      `SELECT "communityId", platform::text AS platform, "chatId", locale, "createdAt" AS "boundAt"
       FROM "ChatBinding" WHERE "communityId" = ANY($1::text[]) ORDER BY "createdAt", id`,
      [[...communityIds]],
    );
    for (const { communityId, ...chat } of rows) found.get(communityId)?.push(chat);
    return found;
  }
  const one = async (where: string, values: readonly SqlValue[]) =>
    (await subjects(`WHERE ${where}`, values))[0];

  return {
    subject: (communityId, number) =>
      one('p."communityId" = $1 AND p.number = $2', [communityId, number]),
    subjectById: (id) => one('p.id = $1', [id]),

    async subjects(refs) {
      if (refs.length === 0) return [];
      return subjects(
        `WHERE (p."communityId", p.number) IN (SELECT * FROM unnest($1::text[], $2::int[]))`,
        [refs.map((r) => r.communityId), refs.map((r) => String(r.number))],
      );
    },

    pendingSubjects: (afterId, limit) =>
      subjects(
        `WHERE ($1::text IS NULL OR p.id > $1)
           AND (p.state IN ('collecting', 'noticed', 'voting') OR EXISTS (
             SELECT 1 FROM "Resolution" r
             WHERE r."proposalId" = p.id AND r.state IN ('assigned', 'in_progress', 'done')))
         ORDER BY p.id LIMIT $2`,
        [afterId, limit],
      ),

    subjectsDueBy: (until, leadMs, afterId, limit) =>
      subjects(
        `WHERE ($1::text IS NULL OR p.id > $1)
           AND ((p.state = 'collecting' AND p."cosignDeadline" <= $3::timestamp(3))
             OR (p.state = 'noticed' AND p."votingOpensAt" <= $3::timestamp(3))
             OR (p.state = 'voting' AND p."votingClosesAt" <= $4::timestamp(3))
             OR EXISTS (
               SELECT 1 FROM "Resolution" r
               WHERE r."proposalId" = p.id
                 AND ((r.state IN ('assigned', 'in_progress') AND r."dueAt" <= $4::timestamp(3))
                   OR (r.state = 'done' AND r."surveyClosesAt" <= $3::timestamp(3)))))
         ORDER BY p.id LIMIT $2`,
        [afterId, limit, until, new Date(until.getTime() + Math.max(0, leadMs))],
      ),

    async communities(afterId, limit) {
      const rows = await sql.query<CommunityRow & { createdAt: Date }>(
        `${SCHEDULED_COMMUNITY} WHERE ($1::text IS NULL OR c.id > $1) ORDER BY c.id LIMIT $2`,
        [afterId, limit],
      );
      return rows.map(toScheduledCommunity);
    },

    async community(id) {
      const [row] = await sql.query<CommunityRow & { createdAt: Date }>(
        `${SCHEDULED_COMMUNITY} WHERE c.id = $1`,
        [id],
      );
      return row ? toScheduledCommunity(row) : undefined;
    },

    async sentNotices(keys) {
      if (keys.length === 0) return new Set();
      const rows = await sql.query<{ key: string }>(
        'SELECT key FROM "NoticeSent" WHERE key = ANY($1::text[])',
        [[...keys]],
      );
      return new Set(rows.map((r) => r.key));
    },

    bindings: async (communityId) => (await bindingsOf([communityId])).get(communityId) ?? [],

    bindingsOf,

    async nonVoterChats(proposalId, voterUnit) {
      // Household voters: every linked resident of the household; resident voters: themselves.
      const join =
        voterUnit === 'household' ? 'r."householdId" = e."householdId"' : 'r.id = e."voterKey"';
      const rows = await sql.query<{ platform: Platform; userId: string }>(
        `${CHAT_OF_RESIDENT}
         FROM "Eligibility" e
         JOIN "Resident" r ON ${join}
         JOIN "ChatIdentity" ci ON ci."residentId" = r.id
         WHERE e."proposalId" = $1
           AND NOT EXISTS (
             SELECT 1 FROM "Ballot" b
             WHERE b."proposalId" = e."proposalId" AND b."voterKey" = e."voterKey")
         ORDER BY ci.platform, ci."userId"`,
        [proposalId],
      );
      return targets(rows);
    },

    async audienceChats(communityId, leadUnitId, audience: readonly LadderAudience[]) {
      const roles = (['committee', 'supervisor', 'street_office'] as const).filter((role) =>
        audience.includes(role),
      );
      const lead = audience.includes('lead_unit');
      if (!lead && roles.length === 0) return [];
      const rows = await sql.query<{ platform: Platform; userId: string }>(
        `${CHAT_OF_RESIDENT}
         FROM "ChatIdentity" ci JOIN "Resident" r ON r.id = ci."residentId"
         WHERE ci."communityId" = $1
           AND (($2 AND r."executingUnitId" = $3) OR r.roles::text[] && $4::text[])
         ORDER BY ci.platform, ci."userId"`,
        [communityId, lead, leadUnitId, roles],
      );
      return targets(rows);
    },
  };
}

function noticeTx(db: SqlSession): NoticeTx {
  return {
    async lockResolution(proposalId) {
      const rows = await db.query<{
        id: string;
        state: ResolutionStateName;
        escalationLevel: number;
      }>(
        `SELECT id, state::text AS state, "escalationLevel"
         FROM "Resolution" WHERE "proposalId" = $1 FOR UPDATE`,
        [proposalId],
      );
      return rows[0];
    },
    async setEscalationLevel(resolutionId, level) {
      db.defer('UPDATE "Resolution" SET "escalationLevel" = $2 WHERE id = $1', [
        resolutionId,
        level,
      ]);
    },
    async appendAudit(entry) {
      deferAudit(db, entry);
    },
    async recordPublications(publications, at) {
      deferOutbox(db, publications, at, true);
    },
  };
}

export function noticeLedger({ sql }: Pick<Database, 'sql'>): NoticeLedger {
  return {
    record: (key, at, work) =>
      sql.transaction(async (db) => {
        // A concurrent recorder of the same key waits here until the first commits, then sees 0.
        const claimed = await db.execute(
          'INSERT INTO "NoticeSent" (key, at) VALUES ($1, $2) ON CONFLICT DO NOTHING',
          [key, at],
        );
        if (claimed === 0) return { recorded: false as const };
        return { recorded: true as const, outcome: await work(noticeTx(db)) };
      }),
  };
}

export function noticeReader(db: { sql: SqlDriver }): NoticeReader {
  const { sql } = db;
  return {
    ...statusReader(db),
    ...watchAlertReader(db),

    async chatLocale(platform, chatId) {
      const [row] = await sql.query<{ locale: string | null }>(
        `SELECT coalesce(
           (SELECT locale FROM "ChatBinding" WHERE platform = $1::"Platform" AND "chatId" = $2),
           (SELECT locale FROM "ChatPreference" WHERE platform = $1::"Platform" AND "chatId" = $2)
         ) AS locale`,
        [platform, chatId],
      );
      return row?.locale ?? null;
    },

    async voterStanding(proposalId, communityId, platform, userId, voterUnit) {
      const voterKey = voterUnit === 'household' ? 'r."householdId"' : 'r.id';
      const [row] = await sql.query<{ eligible: boolean; voted: boolean }>(
        `SELECT EXISTS (SELECT 1 FROM "Eligibility" e
                        WHERE e."proposalId" = $1 AND e."voterKey" = ${voterKey}) AS eligible,
                EXISTS (SELECT 1 FROM "Ballot" b
                        WHERE b."proposalId" = $1 AND b."voterKey" = ${voterKey}) AS voted
         FROM "ChatIdentity" ci JOIN "Resident" r ON r.id = ci."residentId"
         WHERE ci."communityId" = $2 AND ci.platform = $3::"Platform" AND ci."userId" = $4`,
        [proposalId, communityId, platform, userId],
      );
      if (!row?.eligible) return 'not_eligible' satisfies VoterStanding;
      return row.voted ? 'voted' : 'not_voted';
    },

    async activity(communityId, from, to) {
      const rows = await sql.query<{ ballots: number; cosigns: number; households: number }>(
        `WITH b AS (
          SELECT e."householdId" FROM "Ballot" b
          JOIN "Proposal" p ON p.id = b."proposalId"
          JOIN "Eligibility" e ON e."proposalId" = b."proposalId" AND e."voterKey" = b."voterKey"
          WHERE p."communityId" = $1 AND b."castAt" >= $2 AND b."castAt" < $3),
        c AS (
          SELECT r."householdId" FROM "Cosign" c
          JOIN "Proposal" p ON p.id = c."proposalId"
          JOIN "Resident" r ON r.id = c."residentId"
          WHERE p."communityId" = $1 AND c.at >= $2 AND c.at < $3)
        SELECT (SELECT count(*) FROM b)::int AS ballots,
               (SELECT count(*) FROM c)::int AS cosigns,
               (SELECT count(DISTINCT h) FROM (
                  SELECT "householdId" AS h FROM b UNION SELECT "householdId" FROM c) u)::int
                 AS households`,
        [communityId, from, to],
      );
      return rows[0] ?? { ballots: 0, cosigns: 0, households: 0 };
    },
  };
}

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
      const rows = await db.query<ProposalRow>(
        `SELECT ${PROPOSAL_COLUMNS} FROM "Proposal" p
         WHERE (p."communityId", p.number) IN (SELECT * FROM unnest($1::text[], $2::int[]))
         ORDER BY p.id FOR UPDATE`,
        [targets.map((t) => t.communityId), targets.map((t) => String(t.number))],
      );
      return rows.map(toProposal);
    },

    communities: async (ids) =>
      ids.length === 0 ? [] : communitiesWhere(db, 'WHERE c.id = ANY($1::text[])', [[...ids]]),

    ballotCounts: async (proposalIds) =>
      proposalIds.length === 0 ? new Map() : ballotCountsOf(db, proposalIds),

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
      deferOutbox(db, publications, at, true);
    },
  };
}

/**
 * Closes many votes per transaction (the deadline worker batches the votes
 * due together).
 */
export function voteCloseStore({ sql }: Pick<Database, 'sql'>): VoteCloseStore {
  return {
    transact: (work) => sql.transaction((db) => work(sqlVoteCloseTx(db))),
    dueVotes: (now, limit) =>
      sql.query<{ communityId: string; number: number }>(
        `SELECT "communityId", number FROM "Proposal"
         WHERE state = 'voting' AND "votingClosesAt" <= $1
         ORDER BY "votingClosesAt" LIMIT $2`,
        [now, limit],
      ),
  };
}
