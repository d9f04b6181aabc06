import { type Locale, normalizeLocale } from '../i18n/translate.ts';
import type { ChatStore } from './ports/chat.ts';
import type { Platform } from './ports/store.ts';

export type SetChatLocaleOutcome = { kind: 'set'; locale: Locale } | { kind: 'locale_unknown' };

/**
 * `/lang zh|en`: the language of one chat. In a bound group it also decides
 * the language of the cards posted there.
 */
export async function setChatLocale(
  deps: { chats: Pick<ChatStore, 'setLocale'> },
  input: { platform: Platform; chatId: string; text: string },
): Promise<SetChatLocaleOutcome> {
  const locale = normalizeLocale(input.text);
  if (!locale) return { kind: 'locale_unknown' };
  await deps.chats.setLocale(input.platform, input.chatId, locale);
  return { kind: 'set', locale };
}
