/**
 * The group commit's store (src/app/cast-votes.ts): every step is one
 * statement over arrays (unnest), whatever the number of ballots, and the
 * writes travel together before the commit (sql-session.ts defer).
 *
 * The locks are those of a single ballot (deliberation-store.ts): the
 * proposals FOR SHARE, so the close waits for the batch; each voter's ballot
 * by an advisory lock, here taken in ascending lock-key order, the same in
 * every batch, so two batches wait for each other but never deadlock.
 */
import type {
  ActorRef,
  ActorResolution,
  BallotBatchStore,
  BallotBatchTx,
  BallotRecord,
  BallotState,
} from '../app/ports/store.ts';
import { ACTOR_JOIN, ACTOR_SELECT, type ActorRow, toActor } from './actor-rows.ts';
import { auditRow } from './audit-append.ts';
import type { Database } from './database.ts';
import { deferOutbox, PROPOSAL_COLUMNS, type ProposalRow, toProposal } from './sql-rows.ts';
import type { SqlSession } from './sql-session.ts';

const iso = (d: Date) => d.toISOString();

/** Keys sorted as text, so concurrent batches insert (and wait on) shared keys in one order. */
const CLAIM_MANY_SQL = `INSERT INTO "IdempotencyRecord" (key, at)
  SELECT k, $2::timestamp(3) FROM unnest($1::text[]) k ORDER BY k COLLATE "C"
  ON CONFLICT DO NOTHING RETURNING key`;

/** Chat refs: the same rules as DeliberationTx.actor (deliberation-store.ts), per row. */
const CHAT_ACTORS_SQL = `SELECT q.ord::int AS ord, bnd."communityId" IS NOT NULL AS bound,
    ids.n AS identities, ${ACTOR_SELECT}
  FROM unnest($1::text[], $2::text[], $3::text[], $4::boolean[]) WITH ORDINALITY
    AS q(platform, "chatId", "userId", "isPrivate", ord)
  LEFT JOIN "ChatBinding" bnd ON bnd.platform = q.platform::"Platform" AND bnd."chatId" = q."chatId"
  CROSS JOIN LATERAL (
    SELECT count(*)::int AS n, min(ci."residentId") AS "residentId" FROM "ChatIdentity" ci
    WHERE ci.platform = q.platform::"Platform" AND ci."userId" = q."userId"
      AND CASE WHEN bnd."communityId" IS NOT NULL THEN ci."communityId" = bnd."communityId"
               ELSE q."isPrivate" END) ids
  LEFT JOIN ("Resident" r ${ACTOR_JOIN}) ON ids.n = 1 AND r.id = ids."residentId"`;

const RESIDENT_ACTORS_SQL = `SELECT q.ord::int AS ord, ${ACTOR_SELECT}
  FROM unnest($1::text[]) WITH ORDINALITY AS q(id, ord)
  JOIN "Resident" r ON r.id = q.id ${ACTOR_JOIN}`;

const PROPOSALS_SQL = `SELECT ${PROPOSAL_COLUMNS} FROM "Proposal" p
  WHERE (p."communityId", p.number) IN (SELECT * FROM unnest($1::text[], $2::int[]))
  ORDER BY p.id FOR SHARE`;

/** The single ballot's lock key (deliberation-store.ts ballotLockKey), locked in ascending order. */
const LOCK_BALLOTS_SQL = `SELECT count(*)::int AS locked FROM (
  SELECT pg_advisory_xact_lock(h) FROM (
    SELECT DISTINCT hashtextextended(k, 0) AS h FROM unnest($1::text[]) k ORDER BY h) keys) l`;

/** Its own statement after the locks: a statement sees what was committed when it began. */
const BALLOT_STATES_SQL = `SELECT q.ord::int AS ord, e."voterKey" IS NOT NULL AS eligible,
    b.choice::text AS choice, b.channel::text AS channel, b."castBy", b."paperRef", b."castAt"
  FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS q("proposalId", "voterKey", ord)
  LEFT JOIN "Eligibility" e ON e."proposalId" = q."proposalId" AND e."voterKey" = q."voterKey"
  LEFT JOIN "Ballot" b ON b."proposalId" = q."proposalId" AND b."voterKey" = q."voterKey"`;

type BallotStateRow = {
  ord: number;
  eligible: boolean;
  choice: BallotRecord['choice'] | null;
  channel: BallotRecord['channel'] | null;
  castBy: string | null;
  paperRef: string | null;
  castAt: Date | null;
};

/** Rows by their 1-based `ord`, as an array in the inputs' order. */
function inOrder<R extends { ord: number }, T>(
  rows: readonly R[],
  length: number,
  map: (row: R | undefined) => T,
): T[] {
  const byOrd = new Map(rows.map((row) => [row.ord, row]));
  return Array.from({ length }, (_, i) => map(byOrd.get(i + 1)));
}

function batchTx(db: SqlSession): BallotBatchTx {
  return {
    async actors(refs) {
      const out: ActorResolution[] = new Array(refs.length);
      const chats: { i: number; ref: Extract<ActorRef, { kind: 'chat' }> }[] = [];
      const residents: { i: number; ref: Extract<ActorRef, { kind: 'resident' }> }[] = [];
      refs.forEach((ref, i) => {
        if (ref.kind === 'chat') chats.push({ i, ref });
        else residents.push({ i, ref });
      });
      if (chats.length > 0) {
        const rows = await db.query<
          { ord: number; bound: boolean; identities: number } & Partial<ActorRow>
        >(CHAT_ACTORS_SQL, [
          chats.map((c) => c.ref.platform),
          chats.map((c) => c.ref.chatId),
          chats.map((c) => c.ref.userId),
          `{${chats.map((c) => (c.ref.isPrivate ? 't' : 'f')).join(',')}}`,
        ]);
        inOrder(rows, chats.length, (row): ActorResolution => {
          if (!row || (!row.bound && row.identities === 0)) return { kind: 'chat_not_bound' };
          if (row.identities !== 1 || !row.residentId) return { kind: 'not_joined' };
          return toActor(row as ActorRow);
        }).forEach((actor, j) => {
          out[chats[j]?.i ?? -1] = actor;
        });
      }
      if (residents.length > 0) {
        const rows = await db.query<{ ord: number } & ActorRow>(RESIDENT_ACTORS_SQL, [
          residents.map((r) => r.ref.residentId),
        ]);
        inOrder(
          rows,
          residents.length,
          (row): ActorResolution => (row ? toActor(row) : { kind: 'not_joined' }),
        ).forEach((actor, j) => {
          out[residents[j]?.i ?? -1] = actor;
        });
      }
      return out;
    },

    async proposals(keys) {
      if (keys.length === 0) return [];
      const rows = await db.query<ProposalRow>(PROPOSALS_SQL, [
        keys.map((k) => k.communityId),
        keys.map((k) => String(k.number)),
      ]);
      const found = new Map(rows.map((row) => [`${row.communityId}#${row.number}`, row]));
      return keys.map((k) => {
        const row = found.get(`${k.communityId}#${k.number}`);
        return row ? toProposal(row) : undefined;
      });
    },

    async ballotStates(targets) {
      if (targets.length === 0) return [];
      await db.query(LOCK_BALLOTS_SQL, [targets.map((t) => `${t.proposalId}/${t.voterKey}`)]);
      const rows = await db.query<BallotStateRow>(BALLOT_STATES_SQL, [
        targets.map((t) => t.proposalId),
        targets.map((t) => t.voterKey),
      ]);
      return inOrder(rows, targets.length, (row): BallotState => {
        const target = targets[(row?.ord ?? 1) - 1];
        if (!row || !target || row.choice === null || row.channel === null) {
          return { eligible: row?.eligible ?? false, current: undefined };
        }
        return {
          eligible: row.eligible,
          current: {
            proposalId: target.proposalId,
            voterKey: target.voterKey,
            choice: row.choice,
            channel: row.channel,
            castBy: row.castBy ?? '',
            paperRef: row.paperRef,
            castAt: row.castAt ?? new Date(0),
          },
        };
      });
    },

    putBallots(writes, at) {
      if (writes.length === 0) return;
      const superseded = writes.flatMap((w) =>
        w.previous ? [{ id: w.historyId, ...w.previous }] : [],
      );
      if (superseded.length > 0) {
        db.defer(
          `INSERT INTO "BallotHistory" (id, "proposalId", "voterKey", choice, channel, "castBy",
             "paperRef", "castAt", "supersededAt")
           SELECT id, "proposalId", "voterKey", choice::"BallotChoice", channel::"BallotChannel",
             "castBy", "paperRef", "castAt"::timestamp(3), $9::timestamp(3)
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
             $7::text[], $8::text[])
             AS h(id, "proposalId", "voterKey", choice, channel, "castBy", "paperRef", "castAt")`,
          [
            superseded.map((h) => h.id),
            superseded.map((h) => h.proposalId),
            superseded.map((h) => h.voterKey),
            superseded.map((h) => h.choice),
            superseded.map((h) => h.channel),
            superseded.map((h) => h.castBy),
            superseded.map((h) => h.paperRef),
            superseded.map((h) => iso(h.castAt)),
            at,
          ],
        );
      }
      // A voter's later ballot in the batch replaces the earlier one (which went to the history).
      const last = new Map(writes.map((w) => [`${w.ballot.proposalId}/${w.ballot.voterKey}`, w]));
      const ballots = [...last.values()].map((w) => w.ballot);
      db.defer(
        `INSERT INTO "Ballot" ("proposalId", "voterKey", choice, channel, "castBy", "paperRef",
           "castAt")
         SELECT "proposalId", "voterKey", choice::"BallotChoice", channel::"BallotChannel",
           "castBy", "paperRef", "castAt"::timestamp(3)
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
           $7::text[]) AS b("proposalId", "voterKey", choice, channel, "castBy", "paperRef", "castAt")
         ON CONFLICT ("proposalId", "voterKey") DO UPDATE SET choice = EXCLUDED.choice,
           channel = EXCLUDED.channel, "castBy" = EXCLUDED."castBy",
           "paperRef" = EXCLUDED."paperRef", "castAt" = EXCLUDED."castAt"`,
        [
          ballots.map((b) => b.proposalId),
          ballots.map((b) => b.voterKey),
          ballots.map((b) => b.choice),
          ballots.map((b) => b.channel),
          ballots.map((b) => b.castBy),
          ballots.map((b) => b.paperRef),
          ballots.map((b) => iso(b.castAt)),
        ],
      );
    },

    appendAudits(entries) {
      if (entries.length === 0) return;
      const rows = entries.map((entry) => ({ entry, ...auditRow(entry) }));
      // In the batch's order: the chain is sealed in insertion (seq) order.
      db.defer(
        `INSERT INTO "AuditEntry" ("communityId", actor, action, subject, payload, "payloadHash", at)
         SELECT "communityId", actor, action, subject, payload::jsonb, "payloadHash", at::timestamp(3)
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
           $7::text[]) WITH ORDINALITY
           AS a("communityId", actor, action, subject, payload, "payloadHash", at, ord)
         ORDER BY ord`,
        [
          rows.map((r) => r.entry.communityId),
          rows.map((r) => r.entry.actor),
          rows.map((r) => r.entry.action),
          rows.map((r) => r.entry.subject),
          rows.map((r) => JSON.stringify(r.payload)),
          rows.map((r) => r.payloadHash),
          rows.map((r) => iso(r.entry.at)),
        ],
      );
    },

    awardPoints(awards) {
      if (awards.length === 0) return;
      db.defer(
        `INSERT INTO "PointsEntry" (id, "communityId", "residentId", kind, amount, subject, at)
         SELECT id, "communityId", "residentId", kind, amount, subject, at::timestamp(3)
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int[], $6::text[],
           $7::text[]) AS a(id, "communityId", "residentId", kind, amount, subject, at)
         ON CONFLICT ("residentId", kind, subject) DO NOTHING`,
        [
          awards.map((a) => a.id),
          awards.map((a) => a.award.communityId),
          awards.map((a) => a.award.residentId),
          awards.map((a) => a.award.kind),
          awards.map((a) => String(a.award.amount)),
          awards.map((a) => a.award.subject),
          awards.map((a) => iso(a.award.at)),
        ],
      );
    },

    recordPublications(publications, at, announcement) {
      deferOutbox(db, publications, at, announcement);
    },
  };
}

export function ballotBatchStore({ sql }: Pick<Database, 'sql'>): BallotBatchStore {
  return {
    onceEach: (keys, at, work) =>
      sql.transaction(async (db) => {
        const claimedRows = await db.query<{ key: string }>(CLAIM_MANY_SQL, [keys, at]);
        const claimed = new Set(claimedRows.map((r) => r.key));
        const fresh = keys.flatMap((key, i) => (claimed.has(key) ? [i] : []));
        const outcomes = fresh.length > 0 ? await work(batchTx(db), fresh) : [];
        const replayed = keys.filter((key) => !claimed.has(key));
        const stored = new Map<string, unknown>();
        if (replayed.length > 0) {
          // Committed before the claim returned (the claim waited for it): this statement sees it.
          const rows = await db.query<{ key: string; outcome: unknown }>(
            'SELECT key, outcome FROM "IdempotencyRecord" WHERE key = ANY($1::text[])',
            [replayed],
          );
          for (const row of rows) stored.set(row.key, row.outcome);
        }
        if (fresh.length > 0) {
          db.defer(
            `UPDATE "IdempotencyRecord" r SET outcome = v.outcome::jsonb
             FROM unnest($1::text[], $2::text[]) AS v(key, outcome) WHERE r.key = v.key`,
            [
              fresh.map((i) => keys[i] ?? ''),
              fresh.map((_, j) => JSON.stringify(outcomes[j] ?? null)),
            ],
          );
        }
        const byIndex = new Map(fresh.map((i, j) => [i, outcomes[j]]));
        return keys.map((key, i) => (claimed.has(key) ? byIndex.get(i) : stored.get(key)) as never);
      }),
  };
}
