/**
 * Prisma implementation of the chat membership and migration ports: where a
 * push goes now (migrations followed, the bound topic added), moving a chat
 * to its new id, and the bot's removal from and return to a chat.
 */
import type { ChatMembershipStore, MembershipOutcome } from '../app/chat-ports.ts';
import type { ChatRoute, ChatRouteStore } from '../app/delivery-ports.ts';
import type { ChatTarget, Platform } from '../app/ports.ts';
import { appendAudit } from './audit-append.ts';
import { sqlPoolOf } from './database.ts';
import type { Prisma, PrismaClient } from './generated/prisma/client.ts';
import { sqlSession } from './sql-session.ts';

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

export function prismaChatRouteStore(prisma: PrismaClient): ChatRouteStore {
  const pool = sqlPoolOf(prisma);
  const sql = pool ? sqlSession(pool) : undefined;
  return {
    async route(target: ChatTarget): Promise<ChatRoute> {
      const rows = sql
        ? await sql.query<RouteRow>(ROUTE_SQL, [target.platform, target.chatId])
        : await prisma.$queryRawUnsafe<RouteRow[]>(ROUTE_SQL, target.platform, target.chatId);
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

async function moveCardMessages(
  tx: Prisma.TransactionClient,
  platform: Platform,
  from: string,
  to: string,
): Promise<number> {
  // A card the new chat shows already (sent there after the upgrade) keeps its own message.
  const moved = await tx.$executeRaw`
    UPDATE "CardMessage" c SET "chatId" = ${to}
     WHERE c.platform = ${platform}::"Platform" AND c."chatId" = ${from}
       AND NOT EXISTS (
         SELECT 1 FROM "CardMessage" n
          WHERE n.platform = c.platform AND n."chatId" = ${to}
            AND n."communityId" = c."communityId" AND n.number = c.number AND n.kind = c.kind)`;
  await tx.cardMessage.deleteMany({ where: { platform, chatId: from } });
  return moved;
}

async function moveProblem(
  tx: Prisma.TransactionClient,
  platform: Platform,
  from: string,
  to: string,
): Promise<void> {
  const problem = await tx.deliveryProblem.findUnique({
    where: { platform_chatId: { platform, chatId: from } },
  });
  if (!problem) return;
  await tx.deliveryProblem.delete({ where: { platform_chatId: { platform, chatId: from } } });
  if (UPGRADE_REFUSAL.test(problem.reason)) return;
  await tx.deliveryProblem.createMany({
    data: [{ platform, chatId: to, reason: problem.reason, at: problem.at }],
    skipDuplicates: true,
  });
}

async function moveBinding(
  tx: Prisma.TransactionClient,
  platform: Platform,
  from: string,
  to: string,
): Promise<{ communityId: string } | null> {
  const binding = await tx.chatBinding.findUnique({
    where: { platform_chatId: { platform, chatId: from } },
  });
  if (!binding) return null;
  const there = await tx.chatBinding.findUnique({
    where: { platform_chatId: { platform, chatId: to } },
  });
  // Someone bound the new id already (`chat bind` with it): that binding stands.
  if (there) await tx.chatBinding.delete({ where: { id: binding.id } });
  else await tx.chatBinding.update({ where: { id: binding.id }, data: { chatId: to } });
  return { communityId: binding.communityId };
}

async function movePreference(
  tx: Prisma.TransactionClient,
  platform: Platform,
  from: string,
  to: string,
): Promise<void> {
  const preference = await tx.chatPreference.findUnique({
    where: { platform_chatId: { platform, chatId: from } },
  });
  if (!preference) return;
  await tx.chatPreference.delete({ where: { platform_chatId: { platform, chatId: from } } });
  await tx.chatPreference.createMany({
    data: [{ platform, chatId: to, locale: preference.locale }],
    skipDuplicates: true,
  });
}

export function prismaChatMembershipStore(prisma: PrismaClient): ChatMembershipStore {
  return {
    async move(move) {
      const { platform, fromChatId: from, toChatId: to, at } = move;
      return prisma.$transaction(async (tx) => {
        // The migration row is the claim: both service messages, a redelivery and a
        // refused send may report one upgrade; only the first moves anything.
        const claimed = await tx.chatMigration.createMany({
          data: [{ platform, fromChatId: from, toChatId: to, at }],
          skipDuplicates: true,
        });
        if (claimed.count === 0) return { kind: 'already' as const };
        const bound = await moveBinding(tx, platform, from, to);
        const cards = await moveCardMessages(tx, platform, from, to);
        await moveProblem(tx, platform, from, to);
        await movePreference(tx, platform, from, to);
        if (bound) {
          await appendAudit(tx, {
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
      return prisma.$transaction(async (tx) => {
        const recorded = await tx.deliveryProblem.createMany({
          data: [{ platform, chatId, reason, at }],
          skipDuplicates: true,
        });
        if (recorded.count === 0) return { kind: 'unchanged' as const };
        const binding = await tx.chatBinding.findUnique({
          where: { platform_chatId: { platform, chatId } },
          select: { communityId: true },
        });
        if (binding) {
          await appendAudit(tx, {
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
      return prisma.$transaction(async (tx) => {
        const cleared = await tx.deliveryProblem.deleteMany({ where: { platform, chatId } });
        const binding = await tx.chatBinding.findUnique({
          where: { platform_chatId: { platform, chatId } },
          select: { communityId: true },
        });
        if (!binding) {
          return cleared.count > 0
            ? { kind: 'changed' as const, communityId: null }
            : { kind: 'unchanged' as const };
        }
        // Keyed by the platform event: a redelivered update queues no second notice.
        const queued = await tx.outbox.createMany({
          data: [
            {
              id: `${CHAT_RESTORED}-${eventKey}`,
              communityId: binding.communityId,
              number: 0,
              kind: CHAT_RESTORED,
              announcement: false,
              chatPlatform: platform,
              chatId,
              createdAt: at,
            },
          ],
          skipDuplicates: true,
        });
        if (queued.count === 0) return { kind: 'unchanged' as const };
        await appendAudit(tx, {
          communityId: binding.communityId,
          actor: 'system',
          action: 'chat.reachable',
          subject: `chat:${platform}:${chatId}`,
          payload: { platform, wasRefused: cleared.count > 0 },
          at,
        });
        return { kind: 'changed' as const, communityId: binding.communityId };
      });
    },
  };
}

/** Bound chats the platform refuses (recorded delivery problem): the `/metrics` gauge. */
export async function countUnreachableBoundChats(prisma: PrismaClient): Promise<number> {
  const rows = await prisma.$queryRaw<{ count: bigint | number }[]>`
    SELECT count(*) AS count FROM "ChatBinding" b
      JOIN "DeliveryProblem" p ON p.platform = b.platform AND p."chatId" = b."chatId"`;
  return Number(rows[0]?.count ?? 0);
}
