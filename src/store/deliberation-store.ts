/**
 * The deliberation ports in SQL (sql-driver.ts). A proposal row FOR UPDATE serialises co-signs and state
 * changes; ballots take it FOR SHARE, so they run side by side but not with
 * the close; a voter's ballot is serialised by an advisory lock, since the
 * first ballot has no row to lock yet.
 *
 * Every read is one round trip; writes nobody reads back in the transaction
 * (ballot, history, audit, outbox, the stored outcome) are deferred and
 * travel with the next write or before the next read or the commit
 * (sql-session.ts). The actor is one join.
 */
import type {
  ActorRef,
  BallotRecord,
  DeliberationStore,
  DeliberationTx,
  ResolutionRecord,
  Voter,
} from '../app/ports/store.ts';
import { ACTOR_JOIN, ACTOR_SELECT, type ActorRow, toActor } from './actor-rows.ts';
import { deferAudit } from './audit-append.ts';
import type { Database } from './database.ts';
import {
  ballotCountsOf,
  communityById,
  deferOutbox,
  PROPOSAL_COLUMNS,
  type ProposalRow,
  RESOLUTION_SELECT,
  toProposal,
  toResolution,
} from './sql-rows.ts';
import type { SqlSession, SqlValue } from './sql-session.ts';

type Lock = 'update' | 'share' | 'none';

const lockClause = (lock: Lock) =>
  lock === 'update' ? 'FOR UPDATE' : lock === 'share' ? 'FOR SHARE' : '';

const ballotLockKey = (proposalId: string, voterKey: string) => `${proposalId}/${voterKey}`;

/** `SET a = $n, ...` for the defined keys of a patch; `casts` adds enum casts. */
function setClause(
  patch: Record<string, SqlValue | undefined>,
  values: SqlValue[],
  casts: Record<string, string> = {},
): string {
  const sets: string[] = [];
  for (const [column, value] of Object.entries(patch)) {
    if (value === undefined) continue;
    values.push(value);
    sets.push(`"${column}" = $${values.length}${casts[column] ?? ''}`);
  }
  return sets.join(', ');
}

const CLAIM_SQL =
  'INSERT INTO "IdempotencyRecord" (key, at) VALUES ($1, $2) ON CONFLICT DO NOTHING RETURNING 1';

/**
 * The idempotency claim of `once`, sent with the transaction's first
 * statement: in front of the actor's read (every use case starts there) as a
 * CTE, or on its own before any other first statement. `claimed` is set
 * once PostgreSQL has answered.
 */
type PendingClaim = { key: string; at: Date; claimed?: boolean };

/** The key was claimed by an earlier or concurrent delivery: its outcome is replayed. */
class ClaimTaken extends Error {}

function settle(claim: PendingClaim, claimed: boolean): void {
  claim.claimed = claimed;
  if (!claimed) throw new ClaimTaken(claim.key);
}

/** `session`, but the pending claim goes first (alone) unless the actor's read took it. */
function claimingFirst(session: SqlSession, claim: PendingClaim): SqlSession {
  const ensure = async () => {
    if (claim.claimed !== undefined) return;
    const rows = await session.query<unknown>(CLAIM_SQL, [claim.key, claim.at], {
      beforeDeferred: true,
    });
    settle(claim, rows.length === 1);
  };
  return {
    async query(text, values, options) {
      await ensure();
      return session.query(text, values, options);
    },
    async execute(text, values) {
      await ensure();
      return session.execute(text, values);
    },
    defer: (text, values) => session.defer(text, values),
    flush: async () => {
      await ensure();
      await session.flush();
    },
    discard: () => session.discard(),
  };
}

function sqlTx(session: SqlSession, claim?: PendingClaim): DeliberationTx {
  const db = claim ? claimingFirst(session, claim) : session;
  // Advisory ballot locks this transaction already holds (taken with the eligibility check).
  const heldBallotLocks = new Set<string>();

  const surveyCounts = async (resolutionId: string) => {
    const rows = await db.query<{ satisfied: number; answered: number }>(
      `SELECT count(*)::int AS answered, count(*) FILTER (WHERE satisfied)::int AS satisfied
       FROM "SurveyAnswer" WHERE "resolutionId" = $1`,
      [resolutionId],
    );
    return { satisfied: rows[0]?.satisfied ?? 0, answered: rows[0]?.answered ?? 0 };
  };

  const lockedProposal = async (where: string, values: SqlValue[], lock: Lock) => {
    const rows = await db.query<ProposalRow>(
      `SELECT ${PROPOSAL_COLUMNS} FROM "Proposal" p WHERE ${where} ${lockClause(lock)}`,
      values,
    );
    const row = rows[0];
    return row ? toProposal(row) : undefined;
  };

  return {
    async actor(ref: ActorRef) {
      // The pending claim rides in front as a CTE ($1, $2): one round trip fewer per update.
      const claiming = claim !== undefined && claim.claimed === undefined;
      const claimCte = claiming ? `claim AS (${CLAIM_SQL}),` : '';
      const claimed = claiming ? '(SELECT count(*)::int FROM claim) AS claimed,' : '';
      const claimValues = claiming ? [claim.key, claim.at] : [];
      const p = (n: number) => `$${n + claimValues.length}`;
      if (ref.kind === 'resident') {
        const rows = await session.query<Partial<ActorRow> & { claimed?: number }>(
          `${claimCte ? `WITH ${claimCte.slice(0, -1)}` : ''}
           SELECT ${claimed} a.* FROM (SELECT 1) one LEFT JOIN (
             SELECT ${ACTOR_SELECT} FROM "Resident" r ${ACTOR_JOIN} WHERE r.id = ${p(1)}) a ON true`,
          [...claimValues, ref.residentId],
          { beforeDeferred: claiming },
        );
        const row = rows[0];
        if (claiming) settle(claim, row?.claimed === 1);
        return row?.residentId ? toActor(row as ActorRow) : { kind: 'not_joined' };
      }
      // One row per identity of the account (in the bound community when the chat is bound; in
      // any of its communities only in a private chat), or one row of nulls: whether the chat is
      // bound comes with it.
      const rows = await session.query<
        { bound: boolean; identities: number; claimed?: number } & Partial<ActorRow>
      >(
        `WITH ${claimCte} b AS (
           SELECT "communityId" FROM "ChatBinding"
           WHERE platform = ${p(1)}::"Platform" AND "chatId" = ${p(2)}),
         i AS (
           SELECT "residentId" FROM "ChatIdentity"
           WHERE platform = ${p(1)}::"Platform" AND "userId" = ${p(3)}
             AND CASE WHEN EXISTS (SELECT 1 FROM b) THEN "communityId" = (SELECT "communityId" FROM b)
                      ELSE ${p(4)}::boolean END)
         SELECT ${claimed} EXISTS (SELECT 1 FROM b) AS bound,
                (SELECT count(*)::int FROM i) AS identities, ${ACTOR_SELECT}
         FROM (SELECT 1) one
         LEFT JOIN i ON (SELECT count(*) FROM i) = 1
         LEFT JOIN ("Resident" r ${ACTOR_JOIN}) ON r.id = i."residentId"`,
        [...claimValues, ref.platform, ref.chatId, ref.userId, ref.isPrivate],
        { beforeDeferred: claiming },
      );
      const row = rows[0];
      if (claiming) settle(claim, row?.claimed === 1);
      if (!row || (!row.bound && row.identities === 0)) return { kind: 'chat_not_bound' };
      // In a private chat the account's only community is the context.
      if (row.identities !== 1 || !row.residentId) return { kind: 'not_joined' };
      return toActor(row as ActorRow);
    },

    community: (id) => communityById(db, id),

    async nextProposalNumber(communityId) {
      const rows = await db.query<{ number: number }>(
        `UPDATE "Community" SET "nextProposalNumber" = "nextProposalNumber" + 1
         WHERE id = $1 RETURNING "nextProposalNumber" - 1 AS number`,
        [communityId],
      );
      const number = rows[0]?.number;
      if (number === undefined) throw new Error(`community ${communityId} not found`);
      return number;
    },

    async voters(communityId, unit) {
      if (unit === 'household') {
        // A household votes once it has at least one resident on the roster, until erased.
        return db.query<Voter>(
          `SELECT h.id AS "voterKey", h.id AS "householdId", h."buildingId" FROM "Household" h
           WHERE h."communityId" = $1 AND h."erasedAt" IS NULL
             AND EXISTS (SELECT 1 FROM "Resident" r WHERE r."householdId" = h.id)`,
          [communityId],
        );
      }
      return db.query<Voter>(
        `SELECT r.id AS "voterKey", r."householdId", h."buildingId"
         FROM "Resident" r JOIN "Household" h ON h.id = r."householdId"
         WHERE r."communityId" = $1 AND h."erasedAt" IS NULL`,
        [communityId],
      );
    },

    proposal: (communityId, number, lock) =>
      lockedProposal('p."communityId" = $1 AND p.number = $2', [communityId, number], lock),
    proposalById: (id, lock) => lockedProposal('p.id = $1', [id], lock),

    async insertProposal(p) {
      await db.execute(
        `INSERT INTO "Proposal" (id, "communityId", number, title, body, category, "authorId",
           state, "createdAt", "cosignDeadline", "cosignThreshold", "cosignCount", "agendaAt",
           "votingOpensAt", "votingClosesAt", "eligibleCount", "closedAt", "tallyFor",
           "tallyAgainst", "tallyAbstain", "withdrawnAt", "followUpOf")
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8::"ProposalState", $9, $10, $11, $12, $13, $14,
           $15, $16, $17, $18, $19, $20, $21, $22)`,
        [
          p.id,
          p.communityId,
          p.number,
          p.title,
          p.body,
          p.category,
          p.authorId,
          p.state,
          p.createdAt,
          p.cosignDeadline,
          p.cosignThreshold,
          p.cosignCount,
          p.agendaAt,
          p.votingOpensAt,
          p.votingClosesAt,
          p.eligibleCount,
          p.closedAt,
          p.tally?.for ?? null,
          p.tally?.against ?? null,
          p.tally?.abstain ?? null,
          p.withdrawnAt,
          p.followUpOf,
        ],
      );
    },

    async updateProposal(id, patch) {
      const { tally, ...rest } = patch;
      const values: SqlValue[] = [id];
      const set = setClause(
        {
          ...rest,
          ...(tally !== undefined
            ? {
                tallyFor: tally?.for ?? null,
                tallyAgainst: tally?.against ?? null,
                tallyAbstain: tally?.abstain ?? null,
              }
            : {}),
        },
        values,
        { state: '::"ProposalState"' },
      );
      if (set === '') return;
      await db.execute(`UPDATE "Proposal" SET ${set} WHERE id = $1`, values);
    },

    async addCosign(proposalId, voterKey, residentId, at) {
      const inserted = await db.execute(
        `INSERT INTO "Cosign" ("proposalId", "voterKey", "residentId", at)
         VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING`,
        [proposalId, voterKey, residentId, at],
      );
      return inserted === 1;
    },

    async snapshotEligibility(proposalId, voters: readonly Voter[]) {
      if (voters.length === 0) return;
      await db.execute(
        `INSERT INTO "Eligibility" ("proposalId", "voterKey", "householdId", "buildingId")
         SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[])
         ON CONFLICT DO NOTHING`,
        [
          proposalId,
          voters.map((v) => v.voterKey),
          voters.map((v) => v.householdId),
          voters.map((v) => v.buildingId),
        ],
      );
    },

    async eligibility(proposalId, voterKey) {
      // An eligibility check precedes every ballot of this voter in this transaction, so the
      // ballot's advisory lock is taken in the same round trip (held to commit, re-entrant).
      const key = ballotLockKey(proposalId, voterKey);
      const rows = await db.query<Voter & { locked: unknown }>(
        `SELECT e."voterKey", e."householdId", e."buildingId"
         FROM (SELECT pg_advisory_xact_lock(hashtextextended($3, 0)) AS locked) l
         LEFT JOIN "Eligibility" e ON e."proposalId" = $1 AND e."voterKey" = $2`,
        [proposalId, voterKey, key],
      );
      heldBallotLocks.add(key);
      const row = rows[0];
      return row?.voterKey
        ? { voterKey: row.voterKey, householdId: row.householdId, buildingId: row.buildingId }
        : undefined;
    },

    async lockBallot(proposalId, voterKey) {
      const key = ballotLockKey(proposalId, voterKey);
      // The read must start after the lock is granted (a statement sees what was committed
      // when it began), so a lock not yet held is its own statement.
      if (!heldBallotLocks.has(key)) {
        await db.query('SELECT pg_advisory_xact_lock(hashtextextended($1, 0))', [key]);
        heldBallotLocks.add(key);
      }
      const rows = await db.query<BallotRecord>(
        `SELECT "proposalId", "voterKey", choice::text AS choice, channel::text AS channel,
                "castBy", "paperRef", "castAt"
         FROM "Ballot" WHERE "proposalId" = $1 AND "voterKey" = $2`,
        [proposalId, voterKey],
      );
      return rows[0];
    },

    async putBallot(ballot: BallotRecord, previous, historyId, at) {
      // Deferred: read back by nobody in this transaction but a later lockBallot, which flushes.
      if (previous) {
        const p = previous;
        db.defer(
          `INSERT INTO "BallotHistory" (id, "proposalId", "voterKey", choice, channel, "castBy",
             "paperRef", "castAt", "supersededAt")
           VALUES ($1, $2, $3, $4::"BallotChoice", $5::"BallotChannel", $6, $7, $8, $9)`,
          [
            historyId,
            p.proposalId,
            p.voterKey,
            p.choice,
            p.channel,
            p.castBy,
            p.paperRef,
            p.castAt,
            at,
          ],
        );
      }
      const b = ballot;
      db.defer(
        `INSERT INTO "Ballot" ("proposalId", "voterKey", choice, channel, "castBy", "paperRef",
           "castAt")
         VALUES ($1, $2, $3::"BallotChoice", $4::"BallotChannel", $5, $6, $7)
         ON CONFLICT ("proposalId", "voterKey") DO UPDATE SET choice = EXCLUDED.choice,
           channel = EXCLUDED.channel, "castBy" = EXCLUDED."castBy",
           "paperRef" = EXCLUDED."paperRef", "castAt" = EXCLUDED."castAt"`,
        [b.proposalId, b.voterKey, b.choice, b.channel, b.castBy, b.paperRef, b.castAt],
      );
    },

    ballotCounts: async (proposalId) =>
      (await ballotCountsOf(db, [proposalId])).get(proposalId) ?? {
        for: 0,
        against: 0,
        abstain: 0,
      },

    async householdByUnit(communityId, building, unit) {
      return db.query<{ householdId: string; buildingId: string; unit: string }>(
        `SELECT h.id AS "householdId", h."buildingId", h.unit
         FROM "Household" h JOIN "Building" b ON b.id = h."buildingId"
         WHERE h."communityId" = $1 AND h.unit = $2 AND ($3::text IS NULL OR b.name = $3)`,
        [communityId, unit, building || null],
      );
    },

    async executingUnitByName(communityId, name) {
      const rows = await db.query<{ id: string; name: string }>(
        'SELECT id, name FROM "ExecutingUnit" WHERE "communityId" = $1 AND name = $2',
        [communityId, name],
      );
      return rows[0];
    },

    async resolution(communityId, number, lock) {
      const rows = await db.query<ResolutionRecord>(
        `${RESOLUTION_SELECT} WHERE p."communityId" = $1 AND p.number = $2
         ${lock === 'update' ? 'FOR UPDATE OF r' : ''}`,
        [communityId, number],
      );
      return rows[0] ? toResolution(rows[0]) : undefined;
    },

    async insertResolution(r) {
      await db.execute(
        `INSERT INTO "Resolution" (id, "proposalId", "communityId", "leadUnitId", "coopUnits",
           "dueAt", milestones, state, progress, "latestNote", "escalationLevel", "assignedAt",
           "doneAt", "surveyClosesAt", "evaluatedAt", "satisfiedCount", "answeredCount", flagged)
         VALUES ($1, $2, $3, $4, $5::text[], $6, $7::jsonb, $8::"ResolutionState", $9, $10, $11,
           $12, $13, $14, $15, $16, $17, $18)`,
        [
          r.id,
          r.proposalId,
          r.communityId,
          r.leadUnitId,
          r.coopUnits,
          r.dueAt,
          JSON.stringify(r.milestones),
          r.state,
          r.progress,
          r.latestNote,
          r.escalationLevel,
          r.assignedAt,
          r.doneAt,
          r.surveyClosesAt,
          r.evaluatedAt,
          r.satisfiedCount,
          r.answeredCount,
          r.flagged,
        ],
      );
    },

    async updateResolution(id, patch) {
      const values: SqlValue[] = [id];
      const set = setClause(patch, values, { state: '::"ResolutionState"' });
      if (set === '') return;
      await db.execute(`UPDATE "Resolution" SET ${set} WHERE id = $1`, values);
    },

    async insertProgressReport(r) {
      await db.execute(
        `INSERT INTO "ProgressReport" (id, "resolutionId", "reporterId", percent, note, at)
         VALUES ($1, $2, $3, $4, $5, $6)`,
        [r.id, r.resolutionId, r.reporterId, r.percent, r.note, r.at],
      );
    },

    async putSurveyAnswer(a) {
      await db.execute(
        `INSERT INTO "SurveyAnswer" ("resolutionId", "voterKey", "residentId", satisfied, at)
         VALUES ($1, $2, $3, $4, $5)
         ON CONFLICT ("resolutionId", "voterKey") DO UPDATE SET satisfied = EXCLUDED.satisfied,
           "residentId" = EXCLUDED."residentId", at = EXCLUDED.at`,
        [a.resolutionId, a.voterKey, a.residentId, a.satisfied, a.at],
      );
      return surveyCounts(a.resolutionId);
    },

    surveyCounts,

    async awardPoints(award, id) {
      const inserted = await db.execute(
        `INSERT INTO "PointsEntry" (id, "communityId", "residentId", kind, amount, subject, at)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT ("residentId", kind, subject) DO NOTHING`,
        [
          id,
          award.communityId,
          award.residentId,
          award.kind,
          award.amount,
          award.subject,
          award.at,
        ],
      );
      return inserted === 1;
    },

    async appendAudit(entry) {
      deferAudit(db, entry);
    },

    async recordPublications(publications, at, announcement) {
      deferOutbox(db, publications, at, announcement);
    },
  };
}

export function deliberationStore({ sql }: Pick<Database, 'sql'>): DeliberationStore {
  return {
    transact: (work) => sql.transaction((db) => work(sqlTx(db))),

    once: (key, at, work) =>
      sql.transaction(async (db) => {
        // A concurrent duplicate blocks on the claim's unique key until the first commits, then
        // replays; the claim travels with the work's first statement (see PendingClaim).
        const claim: PendingClaim = { key, at };
        let outcome: Awaited<ReturnType<typeof work>>;
        try {
          outcome = await work(sqlTx(db, claim));
          // Work that never reached the database still claims before it counts.
          if (claim.claimed === undefined) {
            const rows = await db.query<unknown>(CLAIM_SQL, [key, at], { beforeDeferred: true });
            settle(claim, rows.length === 1);
          }
        } catch (error) {
          if (!(error instanceof ClaimTaken)) throw error;
          db.discard();
          // Its own statement: it must see the duplicate that committed while the claim waited.
          const rows = await db.query<{ outcome: unknown }>(
            'SELECT outcome FROM "IdempotencyRecord" WHERE key = $1',
            [key],
          );
          return { replayed: true, outcome: rows[0]?.outcome as never };
        }
        // Sent with the transaction's other deferred writes, just before the commit.
        db.defer('UPDATE "IdempotencyRecord" SET outcome = $2::jsonb WHERE key = $1', [
          key,
          JSON.stringify(outcome ?? null),
        ]);
        return { replayed: false, outcome };
      }),
  };
}
