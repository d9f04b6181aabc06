/**
 * A chat's context (src/app/ports/chat.ts ChatContext) from its rows: the
 * binding with its community, and the chat's own /lang preference. Read by
 * the chat store for every update, and by a ballot batch's claim for the
 * group chats its ballots came from (ballot-batch-store.ts).
 */
import { z } from 'zod';
import type { ChatContext } from '../app/ports/chat.ts';
import { normalizeLocale } from '../i18n/translate.ts';

/** A /lang choice as stored: a locale we no longer know reads as no choice. */
export const LocaleColumn = z
  .string()
  .nullable()
  .transform((v) => (v === null ? null : (normalizeLocale(v) ?? null)));

export const CommunityLocale = z
  .string()
  .transform((v) => (v === 'en' ? ('en' as const) : ('zh-CN' as const)));

export const BindingRow = z.object({
  communityId: z.string(),
  buildingId: z.string().nullable(),
  locale: LocaleColumn,
  communityLocale: CommunityLocale,
  timezone: z.string(),
});

/**
 * The context of a group or channel from the flat columns a claim selects
 * (`chatCommunityId` null: not bound). Such a chat has no sender identities
 * to list: only a private chat does.
 */
const GroupContextColumns = z.object({
  chatCommunityId: z.string().nullable(),
  chatBuildingId: z.string().nullable(),
  chatLocale: z.string().nullable(),
  chatCommunityLocale: z.string().nullable(),
  chatTimezone: z.string().nullable(),
  chatPreference: z.string().nullable(),
});

export const GROUP_CONTEXT_COLUMNS = `bnd."communityId" AS "chatCommunityId",
  bnd."buildingId" AS "chatBuildingId", bnd.locale AS "chatLocale",
  bc.locale AS "chatCommunityLocale", bc.timezone AS "chatTimezone", pref.locale AS "chatPreference"`;

/** What GROUP_CONTEXT_COLUMNS read, given the binding `bnd` of the chat `q`. */
export const GROUP_CONTEXT_JOIN = `LEFT JOIN "Community" bc ON bc.id = bnd."communityId"
  LEFT JOIN "ChatPreference" pref ON pref.platform = q.platform::"Platform" AND pref."chatId" = q."chatId"`;

/** The group's context from GROUP_CONTEXT_COLUMNS; an error when a column does not parse. */
export function groupContextOf(row: unknown): ChatContext | Error {
  const columns = GroupContextColumns.safeParse(row);
  if (!columns.success) return new Error(`chat context: ${columns.error.message}`);
  const c = columns.data;
  const preference = LocaleColumn.parse(c.chatPreference);
  if (c.chatCommunityId === null) return { binding: null, preference, communities: [] };
  const binding = BindingRow.safeParse({
    communityId: c.chatCommunityId,
    buildingId: c.chatBuildingId,
    locale: c.chatLocale,
    communityLocale: c.chatCommunityLocale,
    timezone: c.chatTimezone,
  });
  if (!binding.success) return new Error(`chat context: ${binding.error.message}`);
  return { binding: binding.data, preference, communities: [] };
}
