/**
 * What a chat adapter needs besides the use cases: which community a chat
 * belongs to, the language chosen there (/lang), and one-reply-per-update
 * claims. Implemented in src/store/chat-store.ts.
 */
import type { Locale } from '../../i18n/translate.ts';
import type { ChatContext } from './chat-context.ts';
import type { ChatMigrationStore, ChatTarget } from './delivery.ts';
import type { Platform } from './store.ts';

export type { ChatContext } from './chat-context.ts';

/**
 * Where one update's reply stands. `owed`: this caller sends it now, then
 * marks it sent or gives it back with `token`. `sent`: answered already.
 * `in_flight`: another delivery claimed it less than the lease ago.
 */
export type ReplyClaim = { kind: 'owed'; token: string } | { kind: 'sent' } | { kind: 'in_flight' };

export type MembershipOutcome =
  /** Recorded now; `communityId` when the chat is bound (and so audited there). */
  | { kind: 'changed'; communityId: string | null }
  /** Already so (a redelivered update, or a refusal recorded before). */
  | { kind: 'unchanged' };

/** What the platform says about the bot's own membership of a chat (Telegram my_chat_member). */
export interface ChatMembershipStore extends ChatMigrationStore {
  /**
   * The bot was removed (left, kicked, or a person blocked it): records the
   * chat as refusing the bot at once, so pushes to it are dropped.
   */
  botRemoved(target: ChatTarget, reason: string, at: Date): Promise<MembershipOutcome>;
  /**
   * The bot is a member again: forgets the refusal and, for a bound chat,
   * queues one notice to the community's committee (in their private chats)
   * through the outbox, keyed by `eventKey` so a redelivery tells nobody twice.
   */
  botAdded(target: ChatTarget, eventKey: string, at: Date): Promise<MembershipOutcome>;
}

export interface ChatStore extends ChatMembershipStore {
  /** The chat's binding and locale choices, and (for a private chat) the sender's communities. */
  context(
    platform: Platform,
    chatId: string,
    sender: { userId: string; withIdentities: boolean },
  ): Promise<ChatContext>;
  /** Records /lang: on the binding when the chat is bound, else as the chat's preference. */
  setLocale(platform: Platform, chatId: string, locale: Locale): Promise<'binding' | 'preference'>;
  /**
   * Claims the reply owed for one update (`key`, e.g. `tg-reply-<botId>-<updateId>`)
   * at `at`: `owed` for the first caller however many duplicates race, and for
   * a caller that finds a claim older than `leaseMs` still owed (its delivery
   * died before sending: the reply is taken over, never lost); `sent` once it
   * was marked sent; `in_flight` while another delivery's claim is fresh.
   * Kept with the idempotency records, so it lives as long as they do.
   */
  claimReply(key: string, at: Date, leaseMs: number): Promise<ReplyClaim>;
  /** The reply was sent (or can never be): a redelivery sends nothing. */
  replySent(key: string, token: string): Promise<void>;
  /** Gives a claim back (the send failed), so a redelivery may reply; only the holder's `token` can. */
  releaseReply(key: string, token: string): Promise<void>;
  /**
   * The chat just wrote to the bot, so the bot may write to it again: forgets
   * a delivery refusal recorded for it (a resident who had not started the
   * bot, or had blocked it, and now has), or pushes to it would stay dropped.
   */
  reachable(platform: Platform, chatId: string): Promise<void>;
}

/**
 * The community a command in this chat acts in: the binding's, or in a
 * private chat the sender's only community. `several` when a private chat's
 * account is linked in more than one (the limitation: such a person acts
 * from a group chat of the community they mean).
 */
export function chatCommunity(
  chat: ChatContext,
):
  | { kind: 'community'; communityId: string; timezone: string }
  | { kind: 'none' }
  | { kind: 'several'; names: string[] } {
  if (chat.binding) {
    return {
      kind: 'community',
      communityId: chat.binding.communityId,
      timezone: chat.binding.timezone,
    };
  }
  const [only, ...others] = chat.communities;
  if (!only) return { kind: 'none' };
  if (others.length > 0) return { kind: 'several', names: chat.communities.map((c) => c.name) };
  return { kind: 'community', communityId: only.communityId, timezone: only.timezone };
}

/** The language to answer in: the chat's /lang choice, else its community's, else zh-CN. */
export function chatLocale(chat: ChatContext): Locale {
  if (chat.binding) return chat.binding.locale ?? chat.binding.communityLocale;
  if (chat.preference) return chat.preference;
  const [only, ...others] = chat.communities;
  return only && others.length === 0 ? only.locale : 'zh-CN';
}
