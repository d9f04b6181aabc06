/**
 * Prisma implementation of {@link ChatStore}. The context of a chat is read
 * in one round trip, since every update needs it before anything else.
 */
import { z } from 'zod';
import type { ChatContext, ChatStore } from '../app/chat-ports.ts';
import type { Platform } from '../app/ports.ts';
import { normalizeLocale } from '../i18n/translate.ts';
import type { PrismaClient } from './generated/prisma/client.ts';

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

export function prismaChatStore(prisma: PrismaClient): ChatStore {
  return {
    async context(platform: Platform, chatId: string, sender): Promise<ChatContext> {
      // Identities are looked up only for private chats: a group's binding names the community.
      const rows = await prisma.$queryRaw<unknown[]>`
        SELECT
          (SELECT json_build_object('communityId', b."communityId", 'buildingId', b."buildingId",
                                    'locale', b.locale, 'communityLocale', c.locale,
                                    'timezone', c.timezone)
             FROM "ChatBinding" b JOIN "Community" c ON c.id = b."communityId"
            WHERE b.platform = ${platform}::"Platform" AND b."chatId" = ${chatId}) AS binding,
          (SELECT p.locale FROM "ChatPreference" p
            WHERE p.platform = ${platform}::"Platform" AND p."chatId" = ${chatId}) AS preference,
          (SELECT coalesce(json_agg(json_build_object('communityId', c.id, 'name', c.name,
                                                      'locale', c.locale, 'timezone', c.timezone)
                                    ORDER BY c.name), '[]')
             FROM "ChatIdentity" i JOIN "Community" c ON c.id = i."communityId"
            WHERE ${sender.withIdentities} AND i.platform = ${platform}::"Platform"
              AND i."userId" = ${sender.userId}) AS communities`;
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
      const claimed = await prisma.$executeRaw`
        INSERT INTO "IdempotencyRecord" (key, at) VALUES (${key}, ${at}) ON CONFLICT DO NOTHING`;
      return claimed === 1;
    },

    async release(key) {
      await prisma.idempotencyRecord.deleteMany({ where: { key } });
    },

    async pruneIdempotency(before) {
      const deleted = await prisma.idempotencyRecord.deleteMany({ where: { at: { lt: before } } });
      return deleted.count;
    },
  };
}
