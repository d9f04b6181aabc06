/**
 * The chat membership and migration ports in SQL: where a
 * push goes now (migrations followed, the bound topic added), moving a chat
 * to its new id, and the bot's removal from and return to a chat.
 */
import type { ChatMembershipStore, MembershipOutcome } from '../app/ports/chat.ts';
import type { ChatRoute, ChatRouteStore, ChatTarget } from '../app/ports/delivery.ts';
import type { Platform } from '../app/ports/store.ts';
import { deferAudit } from './audit-append.ts';
import type { Database } from './database.ts';
import type { SqlSession } from './sql-session.ts';

/** The outbox kind of "the bot is back in a bound chat" (src/app/chat-membership.ts). */
export const CHAT_RESTORED = 'chat_restored';

/**
 * Every push asks this, so it is one statement: follow the migrations from
 * the addressed id (a chain, should a migrated chat migrate again), then read
 * the final chat's topic and refusal.
 */
const ROUTE_SQL = `
  WITH RECURSIVE hop(chat, depth) AS (
    SELECT $2::text, 0
    UNION ALL
    SELECT m."toChatId", h.depth + 1
      FROM hop h JOIN "ChatMigration" m
        ON m.platform = $1::"Platform" AND m."fromChatId" = h.chat
     WHERE h.depth < 8
  ), final AS (SELECT chat FROM hop ORDER BY depth DESC LIMIT 1)
  SELECT f.chat AS "chatId",
         (SELECT b."threadId" FROM "ChatBinding" b
           WHERE b.platform = $1::"Platform" AND b."chatId" = f.chat) AS "threadId",
         EXISTS (SELECT 1 FROM "DeliveryProblem" p
                  WHERE p.platform = $1::"Platform" AND p."chatId" = f.chat) AS gone
    FROM final f`;

type RouteRow = { chatId: string; threadId: string | null; gone: boolean };

export function chatRouteStore({ sql }: Pick<Database, 'sql'>): ChatRouteStore {
  return {
    async route(target: ChatTarget): Promise<ChatRoute> {
      const rows = await sql.query<RouteRow>(ROUTE_SQL, [target.platform, target.chatId]);
      const row = rows[0];
      if (!row)
        return { target: { platform: target.platform, chatId: target.chatId }, gone: false };
      return {
        target: {
          platform: target.platform,
          chatId: row.chatId,
          ...(row.threadId === null ? {} : { threadId: row.threadId }),
        },
        gone: row.gone,
      };
    },
  };
}

// A refusal the old classifier recorded for the upgrade itself: not a refusal of the new chat.
const UPGRADE_REFUSAL = /upgraded|migrate/i;

const KEY = 'platform = $1::"Platform" AND "chatId" = $2';

/** Moves one kind of a chat's rows from its old id to its new one (a group upgraded to a supergroup). */
type Move<R> = (db: SqlSession, platform: Platform, from: string, to: string) => Promise<R>;

const moveCardMessages: Move<number> = async (db, platform, from, to) => {
  // A card the new chat shows already (sent there after the upgrade) keeps its own message.
  const moved = await db.execute(
    `UPDATE "CardMessage" c SET "chatId" = $3
      WHERE c.platform = $1::"Platform" AND c."chatId" = $2
        AND NOT EXISTS (
          SELECT 1 FROM "CardMessage" n
           WHERE n.platform = c.platform AND n."chatId" = $3
             AND n."communityId" = c."communityId" AND n.number = c.number AND n.kind = c.kind)`,
    [platform, from, to],
  );
  await db.execute(`DELETE FROM "CardMessage" WHERE ${KEY}`, [platform, from]);
  return moved;
};

const moveProblem: Move<void> = async (db, platform, from, to) => {
  const [problem] = await db.query<{ reason: string; at: Date }>(
    `DELETE FROM "DeliveryProblem" WHERE ${KEY} RETURNING reason, at`,
    [platform, from],
  );
  if (!problem || UPGRADE_REFUSAL.test(problem.reason)) return;
  await db.execute(
    `INSERT INTO "DeliveryProblem" (platform, "chatId", reason, at) VALUES ($1::"Platform", $2, $3, $4)
     ON CONFLICT DO NOTHING`,
    [platform, to, problem.reason, problem.at],
  );
};

const bindingOf = async (db: SqlSession, platform: Platform, chatId: string) =>
  (
    await db.query<{ id: string; communityId: string }>(
      `SELECT id, "communityId" FROM "ChatBinding" WHERE ${KEY}`,
      [platform, chatId],
    )
  )[0];

const moveBinding: Move<{ communityId: string } | null> = async (db, platform, from, to) => {
  const binding = await bindingOf(db, platform, from);
  if (!binding) return null;
  // Someone bound the new id already (`chat bind` with it): that binding stands.
  if (await bindingOf(db, platform, to))
    await db.execute('DELETE FROM "ChatBinding" WHERE id = $1', [binding.id]);
  else await db.execute('UPDATE "ChatBinding" SET "chatId" = $2 WHERE id = $1', [binding.id, to]);
  return { communityId: binding.communityId };
};

const movePreference: Move<void> = async (db, platform, from, to) => {
  await db.execute(
    `INSERT INTO "ChatPreference" (platform, "chatId", locale)
     SELECT platform, $3, locale FROM "ChatPreference" WHERE ${KEY}
     ON CONFLICT DO NOTHING`,
    [platform, from, to],
  );
  await db.execute(`DELETE FROM "ChatPreference" WHERE ${KEY}`, [platform, from]);
};

export function chatMembershipStore({ sql }: Pick<Database, 'sql'>): ChatMembershipStore {
  return {
    async move(move) {
      const { platform, fromChatId: from, toChatId: to, at } = move;
      return sql.transaction(async (db) => {
        // The migration row is the claim: both service messages, a redelivery and a
        // refused send may report one upgrade; only the first moves anything.
        const claimed = await db.execute(
          `INSERT INTO "ChatMigration" (platform, "fromChatId", "toChatId", at)
           VALUES ($1::"Platform", $2, $3, $4) ON CONFLICT DO NOTHING`,
          [platform, from, to, at],
        );
        if (claimed === 0) return { kind: 'already' as const };
        const bound = await moveBinding(db, platform, from, to);
        const cards = await moveCardMessages(db, platform, from, to);
        await moveProblem(db, platform, from, to);
        await movePreference(db, platform, from, to);
        if (bound) {
          deferAudit(db, {
            communityId: bound.communityId,
            actor: 'system',
            action: 'chat.migrated',
            subject: `chat:${platform}:${from}`,
            payload: { platform, from, to, cards, source: move.source },
            at,
          });
        }
        return { kind: 'moved' as const, communityId: bound?.communityId ?? null, cards };
      });
    },

    async botRemoved(target, reason, at): Promise<MembershipOutcome> {
      const { platform, chatId } = target;
      return sql.transaction(async (db) => {
        const recorded = await db.execute(
          `INSERT INTO "DeliveryProblem" (platform, "chatId", reason, at)
           VALUES ($1::"Platform", $2, $3, $4) ON CONFLICT DO NOTHING`,
          [platform, chatId, reason, at],
        );
        if (recorded === 0) return { kind: 'unchanged' as const };
        const binding = await bindingOf(db, platform, chatId);
        if (binding) {
          deferAudit(db, {
            communityId: binding.communityId,
            actor: 'system',
            action: 'chat.unreachable',
            subject: `chat:${platform}:${chatId}`,
            payload: { platform, reason },
            at,
          });
        }
        return { kind: 'changed' as const, communityId: binding?.communityId ?? null };
      });
    },

    async botAdded(target, eventKey, at): Promise<MembershipOutcome> {
      const { platform, chatId } = target;
      return sql.transaction(async (db) => {
        const cleared = await db.execute(`DELETE FROM "DeliveryProblem" WHERE ${KEY}`, [
          platform,
          chatId,
        ]);
        const binding = await bindingOf(db, platform, chatId);
        if (!binding) {
          return cleared > 0
            ? { kind: 'changed' as const, communityId: null }
            : { kind: 'unchanged' as const };
        }
        // Keyed by the platform event: a redelivered update queues no second notice.
        const queued = await db.execute(
          `INSERT INTO "Outbox" (id, "communityId", number, kind, announcement, "chatPlatform", "chatId", "createdAt")
           VALUES ($1, $2, 0, $3, false, $4::"Platform", $5, $6) ON CONFLICT DO NOTHING`,
          [
            `${CHAT_RESTORED}-${eventKey}`,
            binding.communityId,
            CHAT_RESTORED,
            platform,
            chatId,
            at,
          ],
        );
        if (queued === 0) return { kind: 'unchanged' as const };
        deferAudit(db, {
          communityId: binding.communityId,
          actor: 'system',
          action: 'chat.reachable',
          subject: `chat:${platform}:${chatId}`,
          payload: { platform, wasRefused: cleared > 0 },
          at,
        });
        return { kind: 'changed' as const, communityId: binding.communityId };
      });
    },
  };
}

/** Bound chats the platform refuses (recorded delivery problem): the `/metrics` gauge. */
export async function countUnreachableBoundChats({ sql }: Pick<Database, 'sql'>): Promise<number> {
  const rows = await sql.query<{ count: string }>(
    `SELECT count(*) AS count FROM "ChatBinding" b
       JOIN "DeliveryProblem" p ON p.platform = b.platform AND p."chatId" = b."chatId"`,
  );
  return Number(rows[0]?.count ?? 0);
}
