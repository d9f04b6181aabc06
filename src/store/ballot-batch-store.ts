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
import type { ChatContext } from '../app/ports/chat.ts';
import type {
  ActorRef,
  ActorResolution,
  BallotBatchStore,
  BallotBatchTx,
  BallotRecord,
  LockedBallot,
} from '../app/ports/store.ts';
import { ACTOR_JOIN, ACTOR_SELECT, type ActorRow, toActor } from './actor-rows.ts';
import { auditRow } from './audit-append.ts';
import { GROUP_CONTEXT_COLUMNS, GROUP_CONTEXT_JOIN, groupContextOf } from './chat-context-row.ts';
import type { Database } from './database.ts';
import { deferOutbox, PROPOSAL_COLUMNS, type ProposalRow, toProposal } from './sql-rows.ts';
import type { SqlSession } from './sql-session.ts';

const iso = (d: Date) => d.toISOString();

/**
 * The claim of the batch's keys, in front of each ballot's actor as a CTE:
 * keys go in sorted as text, so concurrent batches wait on shared keys in one
 * order. A key another delivery holds makes the statement wait for it.
 */
const CLAIM_CTE = `claim AS (INSERT INTO "IdempotencyRecord" (key, at)
    SELECT k, $1::timestamp(3) FROM unnest($2::text[]) k ORDER BY k COLLATE "C"
    ON CONFLICT DO NOTHING RETURNING key)`;

/**
 * Chat refs: the same rules as DeliberationTx.actor (deliberation-store.ts),
 * per ballot; and the chat's context, which words the answer (a group's: a
 * private chat's would list the sender's communities, and is read apart).
 */
const CLAIM_CHAT_ACTORS_SQL = `WITH ${CLAIM_CTE}
  SELECT q.ord::int AS ord, claim.key IS NOT NULL AS claimed,
    bnd."communityId" IS NOT NULL AS bound, ids.n AS identities, ${GROUP_CONTEXT_COLUMNS}, a.*
  FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::boolean[]) WITH ORDINALITY
    AS q(key, platform, "chatId", "userId", "isPrivate", ord)
  LEFT JOIN claim ON claim.key = q.key
  LEFT JOIN "ChatBinding" bnd ON bnd.platform = q.platform::"Platform" AND bnd."chatId" = q."chatId"
  ${GROUP_CONTEXT_JOIN}
  CROSS JOIN LATERAL (
    SELECT count(*)::int AS n, min(ci."residentId") AS "residentId" FROM "ChatIdentity" ci
    WHERE ci.platform = q.platform::"Platform" AND ci."userId" = q."userId"
      AND CASE WHEN bnd."communityId" IS NOT NULL THEN ci."communityId" = bnd."communityId"
               ELSE q."isPrivate" END) ids
  LEFT JOIN LATERAL (SELECT ${ACTOR_SELECT} FROM "Resident" r ${ACTOR_JOIN}
    WHERE ids.n = 1 AND r.id = ids."residentId") a ON true`;

const CLAIM_RESIDENT_ACTORS_SQL = `WITH ${CLAIM_CTE}
  SELECT q.ord::int AS ord, claim.key IS NOT NULL AS claimed, a.*
  FROM unnest($2::text[], $3::text[]) WITH ORDINALITY AS q(key, "residentId", ord)
  LEFT JOIN claim ON claim.key = q.key
  LEFT JOIN LATERAL (SELECT ${ACTOR_SELECT} FROM "Resident" r ${ACTOR_JOIN}
    WHERE r.id = q."residentId") a ON true`;

/**
 * The votes FOR SHARE, then each voter's ballot by the single ballot's
 * advisory lock key (deliberation-store.ts ballotLockKey), taken in
 * ascending order of the lock itself.
 */
const LOCK_VOTES_SQL = `WITH v AS (
    SELECT * FROM unnest($1::text[], $2::int[], $3::text[]) AS v("communityId", number, "voterKey")),
  votes AS MATERIALIZED (
    SELECT ${PROPOSAL_COLUMNS} FROM "Proposal" p
    WHERE (p."communityId", p.number) IN (SELECT "communityId", number FROM v)
    ORDER BY p.id FOR SHARE),
  ballots AS MATERIALIZED (
    SELECT count(pg_advisory_xact_lock(h))::int AS locked FROM (
      SELECT DISTINCT hashtextextended(votes.id || '/' || v."voterKey", 0) AS h
      FROM votes JOIN v ON v."communityId" = votes."communityId" AND v.number = votes.number
      ORDER BY h) keys)
  SELECT votes.*, (SELECT locked FROM ballots) AS locked FROM votes`;

/**
 * Its own statement behind the locks (sent with them when pipelining): a
 * statement sees what was committed when it began, and this one begins once
 * the locks are held. Each ballot's rows are looked up by their whole key
 * (`OFFSET 0` keeps the lateral reads from being flattened into joins): as
 * joins through the proposal, the plan looked them up by the proposal alone
 * and filtered every voter of the vote (100 ms a batch in the tally bench).
 */
const BALLOT_STATES_SQL = `SELECT q.ord::int AS ord, e."voterKey" IS NOT NULL AS eligible,
    b.choice::text AS choice, b.channel::text AS channel, b."castBy", b."paperRef", b."castAt"
  FROM unnest($1::text[], $2::int[], $3::text[]) WITH ORDINALITY
    AS q("communityId", number, "voterKey", ord)
  CROSS JOIN LATERAL (SELECT p.id FROM "Proposal" p
    WHERE p."communityId" = q."communityId" AND p.number = q.number) p
  LEFT JOIN LATERAL (SELECT e."voterKey" FROM "Eligibility" e
    WHERE e."proposalId" = p.id AND e."voterKey" = q."voterKey" OFFSET 0) e ON true
  LEFT JOIN LATERAL (SELECT * FROM "Ballot" b
    WHERE b."proposalId" = p.id AND b."voterKey" = q."voterKey" OFFSET 0) b ON true`;

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
  map: (row: R | undefined, index: number) => T,
): T[] {
  const byOrd = new Map(rows.map((row) => [row.ord, row]));
  return Array.from({ length }, (_, i) => map(byOrd.get(i + 1), i));
}

function batchTx(db: SqlSession): BallotBatchTx {
  return {
    async lockVotes(ballots) {
      if (ballots.length === 0) return [];
      const params = [
        ballots.map((b) => b.communityId),
        ballots.map((b) => String(b.number)),
        ballots.map((b) => b.voterKey),
      ];
      // Issued together: on a pipelining connection one round trip, the read still behind the locks.
      const [locked, states] = await Promise.all([
        db.query<ProposalRow & { locked: number }>(LOCK_VOTES_SQL, params),
        // Ballots: a table that starts empty and grows with every vote.
        db.query<BallotStateRow>(BALLOT_STATES_SQL, params, { replan: true }),
      ]);
      const found = new Map(locked.map((row) => [`${row.communityId}#${row.number}`, row]));
      return inOrder(states, ballots.length, (row, i): LockedBallot | undefined => {
        const b = ballots[i];
        const proposalRow = b && found.get(`${b.communityId}#${b.number}`);
        if (!b || !proposalRow) return undefined;
        const { locked: _, ...columns } = proposalRow;
        const proposal = toProposal(columns);
        if (!row || row.choice === null || row.channel === null) {
          return { proposal, state: { eligible: row?.eligible ?? false, current: undefined } };
        }
        return {
          proposal,
          state: {
            eligible: row.eligible,
            current: {
              proposalId: proposal.id,
              voterKey: b.voterKey,
              choice: row.choice,
              channel: row.channel,
              castBy: row.castBy ?? '',
              paperRef: row.paperRef,
              castAt: row.castAt ?? new Date(0),
            },
          },
        };
      });
    },

    putBallots(writes) {
      if (writes.length === 0) return;
      // Superseded when the ballot replacing it was cast.
      const superseded = writes.flatMap((w) =>
        w.previous ? [{ id: w.historyId, ...w.previous, supersededAt: w.ballot.castAt }] : [],
      );
      if (superseded.length > 0) {
        db.defer(
          `INSERT INTO "BallotHistory" (id, "proposalId", "voterKey", choice, channel, "castBy",
             "paperRef", "castAt", "supersededAt")
           SELECT id, "proposalId", "voterKey", choice::"BallotChoice", channel::"BallotChannel",
             "castBy", "paperRef", "castAt"::timestamp(3), "supersededAt"::timestamp(3)
           FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
             $7::text[], $8::text[], $9::text[])
             AS h(id, "proposalId", "voterKey", choice, channel, "castBy", "paperRef", "castAt",
               "supersededAt")`,
          [
            superseded.map((h) => h.id),
            superseded.map((h) => h.proposalId),
            superseded.map((h) => h.voterKey),
            superseded.map((h) => h.choice),
            superseded.map((h) => h.channel),
            superseded.map((h) => h.castBy),
            superseded.map((h) => h.paperRef),
            superseded.map((h) => iso(h.castAt)),
            superseded.map((h) => iso(h.supersededAt)),
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

type ClaimRow = { ord: number; claimed: boolean };

type Opened = { claimed: boolean; actor: ActorResolution; chat?: ChatContext | undefined };

/**
 * Claims every key and resolves every actor, and reads the context of each
 * group a ballot came from: one statement per kind of ref in the batch.
 */
async function claimAndResolve(
  db: SqlSession,
  ballots: readonly { key: string; actor: ActorRef }[],
  at: Date,
): Promise<Opened[]> {
  const out: Opened[] = new Array(ballots.length);
  const chats: { i: number; key: string; ref: Extract<ActorRef, { kind: 'chat' }> }[] = [];
  const residents: { i: number; key: string; ref: Extract<ActorRef, { kind: 'resident' }> }[] = [];
  ballots.forEach(({ key, actor }, i) => {
    if (actor.kind === 'chat') chats.push({ i, key, ref: actor });
    else residents.push({ i, key, ref: actor });
  });
  if (chats.length > 0) {
    const rows = await db.query<
      ClaimRow & { bound: boolean; identities: number } & Partial<ActorRow>
    >(CLAIM_CHAT_ACTORS_SQL, [
      at,
      chats.map((c) => c.key),
      chats.map((c) => c.ref.platform),
      chats.map((c) => c.ref.chatId),
      chats.map((c) => c.ref.userId),
      `{${chats.map((c) => (c.ref.isPrivate ? 't' : 'f')).join(',')}}`,
    ]);
    inOrder(rows, chats.length, (row, j): Opened => {
      const claimed = row?.claimed ?? false;
      // A context that does not parse is read again apart, where it fails its own update.
      const context = row && !chats[j]?.ref.isPrivate ? groupContextOf(row) : undefined;
      const chat = context instanceof Error ? undefined : context;
      if (!row || (!row.bound && row.identities === 0))
        return { claimed, chat, actor: { kind: 'chat_not_bound' } };
      if (row.identities !== 1 || !row.residentId)
        return { claimed, chat, actor: { kind: 'not_joined' } };
      return { claimed, chat, actor: toActor(row as ActorRow) };
    }).forEach((result, j) => {
      out[chats[j]?.i ?? -1] = result;
    });
  }
  if (residents.length > 0) {
    const rows = await db.query<ClaimRow & Partial<ActorRow>>(CLAIM_RESIDENT_ACTORS_SQL, [
      at,
      residents.map((r) => r.key),
      residents.map((r) => r.ref.residentId),
    ]);
    inOrder(rows, residents.length, (row) => ({
      claimed: row?.claimed ?? false,
      actor: row?.residentId ? toActor(row as ActorRow) : ({ kind: 'not_joined' } as const),
    })).forEach((result, j) => {
      out[residents[j]?.i ?? -1] = result;
    });
  }
  return out;
}

export function ballotBatchStore({ sql }: Pick<Database, 'sql'>): BallotBatchStore {
  return {
    onceEach: (ballots, at, work) =>
      sql.transaction(async (db) => {
        const opened = await claimAndResolve(db, ballots, at);
        const claimed = opened.flatMap((o, index) =>
          o.claimed ? [{ index, actor: o.actor }] : [],
        );
        const outcomes = claimed.length > 0 ? await work(batchTx(db), claimed) : [];
        if (claimed.length > 0) {
          // Written as an upsert of the rows claimed above, not an UPDATE joined to the keys: the
          // conflict goes through the key's index whatever the plan, where the UPDATE's cached
          // plan read the whole table in every batch when it was made on a young table
          // (sql-session.ts `replan`). Every key is claimed here, so every row is updated.
          db.defer(
            `INSERT INTO "IdempotencyRecord" (key, outcome, at)
             SELECT key, outcome::jsonb, $3::timestamp(3)
             FROM unnest($1::text[], $2::text[]) AS v(key, outcome)
             ON CONFLICT (key) DO UPDATE SET outcome = EXCLUDED.outcome`,
            [
              claimed.map((c) => ballots[c.index]?.key ?? ''),
              claimed.map((_, j) => JSON.stringify(outcomes[j] ?? null)),
              at,
            ],
          );
        }
        const replayed = ballots.filter((_, i) => !opened[i]?.claimed).map((b) => b.key);
        const stored = new Map<string, unknown>();
        if (replayed.length > 0) {
          // Committed before the claim returned (the claim waited for it): this statement sees it.
          // It reads none of the rows the writes touch (those keys were claimed here), so the
          // writes ride in it, and the commit right behind.
          const rows = await db.query<{ key: string; outcome: unknown }>(
            'SELECT key, outcome FROM "IdempotencyRecord" WHERE key = ANY($1::text[])',
            [replayed],
            { replan: true, carryDeferred: true, final: true },
          );
          for (const row of rows) stored.set(row.key, row.outcome);
        }
        const byIndex = new Map(claimed.map((c, j) => [c.index, outcomes[j]]));
        return ballots.map((b, i) => ({
          outcome: (opened[i]?.claimed ? byIndex.get(i) : stored.get(b.key)) as never,
          chat: opened[i]?.chat,
        }));
      }),
  };
}
