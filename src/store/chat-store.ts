/**
 * Prisma implementation of {@link ChatStore}. The context of a chat is read
 * in one round trip, since every update needs it before anything else.
 */
import { z } from 'zod';
import type { ChatContext, ChatStore } from '../app/chat-ports.ts';
import type { Platform } from '../app/ports.ts';
import { normalizeLocale } from '../i18n/translate.ts';
import { sqlPoolOf } from './database.ts';
import type { PrismaClient } from './generated/prisma/client.ts';
import { type SqlSession, sqlSession } from './sql-session.ts';

const LocaleColumn = z
  .string()
  .nullable()
  .transform((v) => (v === null ? null : (normalizeLocale(v) ?? null)));
const CommunityLocale = z
  .string()
  .transform((v) => (v === 'en' ? ('en' as const) : ('zh-CN' as const)));

const ContextRow = z.object({
  binding: z
    .object({
      communityId: z.string(),
      buildingId: z.string().nullable(),
      locale: LocaleColumn,
      communityLocale: CommunityLocale,
      timezone: z.string(),
    })
    .nullable(),
  preference: LocaleColumn,
  communities: z.array(
    z.object({
      communityId: z.string(),
      name: z.string(),
      locale: CommunityLocale,
      timezone: z.string(),
    }),
  ),
});

/** Identities are looked up only for private chats: a group's binding names the community. */
const CONTEXT_SQL = `
  SELECT
    (SELECT json_build_object('communityId', b."communityId", 'buildingId', b."buildingId",
                              'locale', b.locale, 'communityLocale', c.locale,
                              'timezone', c.timezone)
       FROM "ChatBinding" b JOIN "Community" c ON c.id = b."communityId"
      WHERE b.platform = $1::"Platform" AND b."chatId" = $2) AS binding,
    (SELECT p.locale FROM "ChatPreference" p
      WHERE p.platform = $1::"Platform" AND p."chatId" = $2) AS preference,
    (SELECT coalesce(json_agg(json_build_object('communityId', c.id, 'name', c.name,
                                                'locale', c.locale, 'timezone', c.timezone)
                              ORDER BY c.name), '[]')
       FROM "ChatIdentity" i JOIN "Community" c ON c.id = i."communityId"
      WHERE $3 AND i.platform = $1::"Platform" AND i."userId" = $4) AS communities`;

const CLAIM_SQL =
  'INSERT INTO "IdempotencyRecord" (key, at) VALUES ($1, $2) ON CONFLICT DO NOTHING';

/**
 * The chat store. Reading the context and claiming a reply happen on every
 * update, so on PostgreSQL they go through `pg` directly (sql-session.ts: a
 * Prisma query costs ~0.3 ms of CPU more); the rare writes stay on Prisma.
 */
export function prismaChatStore(prisma: PrismaClient): ChatStore {
  const pool = sqlPoolOf(prisma);
  const sql: SqlSession | undefined = pool ? sqlSession(pool) : undefined;
  return {
    async context(platform: Platform, chatId: string, sender): Promise<ChatContext> {
      const rows = sql
        ? await sql.query<unknown>(CONTEXT_SQL, [
            platform,
            chatId,
            sender.withIdentities,
            sender.userId,
          ])
        : await prisma.$queryRawUnsafe<unknown[]>(
            CONTEXT_SQL,
            platform,
            chatId,
            sender.withIdentities,
            sender.userId,
          );
      return ContextRow.parse(rows[0]);
    },

    async setLocale(platform, chatId, locale) {
      const bound = await prisma.chatBinding.updateMany({
        where: { platform, chatId },
        data: { locale },
      });
      if (bound.count > 0) return 'binding';
      await prisma.chatPreference.upsert({
        where: { platform_chatId: { platform, chatId } },
        create: { platform, chatId, locale },
        update: { locale },
      });
      return 'preference';
    },

    async claim(key, at) {
      const claimed = sql
        ? await sql.execute(CLAIM_SQL, [key, at])
        : await prisma.$executeRawUnsafe(CLAIM_SQL, key, at);
      return claimed === 1;
    },

    async release(key) {
      if (sql) await sql.execute('DELETE FROM "IdempotencyRecord" WHERE key = $1', [key]);
      else await prisma.idempotencyRecord.deleteMany({ where: { key } });
    },

    async reachable(platform, chatId) {
      // Only on private updates (rare next to group button presses): Prisma is fine here.
      await prisma.deliveryProblem.deleteMany({ where: { platform, chatId } });
    },

    async pruneIdempotency(before) {
      const deleted = await prisma.idempotencyRecord.deleteMany({ where: { at: { lt: before } } });
      return deleted.count;
    },
  };
}
