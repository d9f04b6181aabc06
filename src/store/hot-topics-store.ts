/**
 * Hot topics in PostgreSQL ({@link HotTopicStore}): which bound chats are
 * counted, and the daily aggregates per term. Only terms, counts and
 * sender estimates are here; a message's text, id or sender never are.
 */
import { communityPolicy } from '../app/core.ts';
import type { CountedDay, HotTopicStore, WindowTerm } from '../app/ports/hot-topics.ts';
import type { Platform } from '../app/ports/store.ts';
import { auditRow } from './audit-append.ts';
import {
  COMMUNITY_COLUMNS,
  type CommunityRow,
  communitiesWhere,
  communityById,
  type SqlReads,
  toCommunity,
} from './sql-rows.ts';

/** What the store runs its statements through (the database's `sql` driver). */
export type SqlQueries = SqlReads;

export function hotTopicStore(sql: SqlQueries): HotTopicStore {
  return {
    async countingChat(platform, chatId) {
      // Opted in and still bound to the same community; the policy decides last.
      const [row] = await sql.query<CommunityRow>(
        `SELECT ${COMMUNITY_COLUMNS}
           FROM "HotTopicChat" h
           JOIN "ChatBinding" b ON b.platform = h.platform AND b."chatId" = h."chatId"
                               AND b."communityId" = h."communityId"
           JOIN "Community" c ON c.id = h."communityId"
          WHERE h.platform = $1::"Platform" AND h."chatId" = $2`,
        [platform, chatId],
      );
      if (!row || communityPolicy(toCommunity(row)).hotTopics !== 'on') return undefined;
      return { communityId: row.id, timezone: row.timezone };
    },

    async setChat({ platform, chatId, communityId, on, at }, audit) {
      const { payload, payloadHash } = auditRow(audit);
      const change = on
        ? `INSERT INTO "HotTopicChat" (platform, "chatId", "communityId", since)
           VALUES ($1::"Platform", $2, $3, $4)
           ON CONFLICT (platform, "chatId") DO UPDATE SET "communityId" = EXCLUDED."communityId"
             WHERE "HotTopicChat"."communityId" <> EXCLUDED."communityId"
           RETURNING 1`
        : // $3 and $4 are the opt-in's; named here too, so both statements take one list.
          `DELETE FROM "HotTopicChat" WHERE platform = $1::"Platform" AND "chatId" = $2
             AND $3::text IS NOT NULL AND $4::timestamptz IS NOT NULL
           RETURNING 1`;
      // One statement: the change and its audit entry land together, or neither does.
      const rows = await sql.query<{ changed: number }>(
        `WITH changed AS (${change}),
              audited AS (
                INSERT INTO "AuditEntry" ("communityId", actor, action, subject, payload, "payloadHash", at)
                SELECT $5, $6, $7, $8, $9::jsonb, $10, $11 WHERE EXISTS (SELECT 1 FROM changed)
              )
         SELECT count(*)::int AS changed FROM changed`,
        [
          platform,
          chatId,
          communityId,
          at,
          audit.communityId,
          audit.actor,
          audit.action,
          audit.subject,
          JSON.stringify(payload),
          payloadHash,
          audit.at,
        ],
      );
      return (rows[0]?.changed ?? 0) > 0 ? 'changed' : 'unchanged';
    },

    async chatOptedIn(platform, chatId) {
      const rows = await sql.query(
        `SELECT 1 FROM "HotTopicChat" WHERE platform = $1::"Platform" AND "chatId" = $2`,
        [platform, chatId],
      );
      return rows.length > 0;
    },

    async saveDay(communityId, day, counted: CountedDay) {
      const { terms } = counted;
      // One statement: terms get their ids, the day's rows and the volume are replaced.
      await sql.query(
        `WITH input AS (
           SELECT * FROM unnest($3::text[], $4::int[], $5::int[], $6::int[])
             AS t(term, messages, senders, senders7)
         ), ids AS (
           INSERT INTO "HotTopicTerm" ("communityId", term)
           SELECT $1, term FROM input
           ON CONFLICT ("communityId", term) DO UPDATE SET term = EXCLUDED.term
           RETURNING id, term
         ), days AS (
           INSERT INTO "HotTopicDay" ("termId", day, messages, senders, senders7)
           SELECT ids.id, $2::date, i.messages, i.senders, i.senders7
             FROM input i JOIN ids ON ids.term = i.term
           ON CONFLICT ("termId", day) DO UPDATE
             SET messages = EXCLUDED.messages, senders = EXCLUDED.senders,
                 senders7 = EXCLUDED.senders7
         )
         INSERT INTO "HotTopicVolume" ("communityId", day, messages) VALUES ($1, $2::date, $7)
         ON CONFLICT ("communityId", day) DO UPDATE SET messages = EXCLUDED.messages`,
        [
          communityId,
          day,
          terms.map((t) => t.term),
          terms.map((t) => String(t.messages)),
          terms.map((t) => String(t.senders)),
          terms.map((t) => String(t.senders7)),
          counted.messages,
        ],
      );
    },

    async window(communityId, day) {
      // The 7 days ending `day` and the 28 before; senders7 from the newest day in the window.
      const terms = await sql.query<WindowTerm>(
        `SELECT t.id AS "termId", t.term,
                (COALESCE(SUM(d.messages) FILTER (WHERE d.day > $2::date - 7), 0))::int AS last7,
                (COALESCE(SUM(d.messages) FILTER (WHERE d.day <= $2::date - 7), 0))::int AS previous28,
                (COALESCE((array_agg(d.senders7 ORDER BY d.day DESC)
                   FILTER (WHERE d.day > $2::date - 7))[1], 0))::int AS senders7
           FROM "HotTopicTerm" t JOIN "HotTopicDay" d ON d."termId" = t.id
          WHERE t."communityId" = $1 AND d.day > $2::date - 35 AND d.day <= $2::date
          GROUP BY t.id, t.term
         HAVING SUM(d.messages) FILTER (WHERE d.day > $2::date - 7) > 0`,
        [communityId, day],
      );
      const [volume] = await sql.query<{
        messages7: number;
        messagesPrevious28: number;
        firstDay: string | null;
      }>(
        `SELECT (COALESCE(SUM(messages) FILTER (WHERE day > $2::date - 7 AND day <= $2::date), 0))::int AS "messages7",
                (COALESCE(SUM(messages) FILTER (WHERE day > $2::date - 35 AND day <= $2::date - 7), 0))::int AS "messagesPrevious28",
                MIN(day)::text AS "firstDay"
           FROM "HotTopicVolume" WHERE "communityId" = $1`,
        [communityId, day],
      );
      return {
        terms,
        messages7: volume?.messages7 ?? 0,
        messagesPrevious28: volume?.messagesPrevious28 ?? 0,
        firstDay: volume?.firstDay ?? null,
      };
    },

    async term(communityId, termId) {
      const [row] = await sql.query<{ term: string }>(
        `SELECT term FROM "HotTopicTerm" WHERE id = $1 AND "communityId" = $2`,
        [termId, communityId],
      );
      return row?.term;
    },

    countingCommunities: () =>
      communitiesWhere(sql, `WHERE c.policy->>'hotTopics' = 'on' ORDER BY c.id`),

    community: (communityId) => communityById(sql, communityId),

    async committeeChats(communityId) {
      // A private chat's id is the person's user id; its /lang choice is kept as a preference.
      return sql.query<{ platform: Platform; chatId: string; locale: string | null }>(
        `SELECT ci.platform::text AS platform, ci."userId" AS "chatId", p.locale
           FROM "ChatIdentity" ci
           JOIN "Resident" r ON r.id = ci."residentId"
           LEFT JOIN "ChatPreference" p ON p.platform = ci.platform AND p."chatId" = ci."userId"
          WHERE ci."communityId" = $1 AND 'committee'::"Role" = ANY(r.roles)
          ORDER BY ci.platform, ci."userId"`,
        [communityId],
      );
    },

    async claimCard(key, at) {
      const rows = await sql.query(
        `INSERT INTO "NoticeSent" (key, at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING RETURNING 1`,
        [key, at],
      );
      return rows.length > 0;
    },

    async releaseCard(key) {
      await sql.query(`DELETE FROM "NoticeSent" WHERE key = $1`, [key]);
    },
  };
}
