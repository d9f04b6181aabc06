/**
 * What every feature of the bot shares: its dependencies, and the `turn`
 * each handled update carries (who acts, in which chat and community, in
 * which language, under which idempotency keys).
 */
import type { Context } from 'grammy';
import type { Logger } from 'pino';
import { type ChatContext, type ChatStore, chatLocale } from '../../src/app/chat-ports.ts';
import type { CoreDeps } from '../../src/app/core.ts';
import type { RosterDeps } from '../../src/app/deps.ts';
import type { ButtonAction } from '../../src/app/outbound.ts';
import type { ActorRef } from '../../src/app/ports.ts';
import type { StatusReader } from '../../src/app/status.ts';
import type { Locale } from '../../src/i18n/translate.ts';

/** The use cases and stores the bot calls. */
export type TelegramDeps = {
  core: CoreDeps;
  joinCodes: Pick<RosterDeps, 'clock' | 'ids' | 'joinCodes'>;
  status: StatusReader;
  chats: ChatStore;
  log: Logger;
  /** How long a claimed reply is its delivery's to send (default `REPLY_LEASE_MS` in reply.ts). */
  replyLeaseMs?: number | undefined;
};

/** One update being handled. */
export type Turn = {
  /** Idempotency key of the update's effect: `tg-<botId>-<updateId>`. */
  updateKey: string;
  /** Claim key of the update's one reply: `tg-reply-<botId>-<updateId>`. */
  replyKey: string;
  chatId: string;
  userId: string;
  isPrivate: boolean;
  /** The forum topic the command was sent in (`message_thread_id`); replies go there too. */
  threadId: number | undefined;
  chat: ChatContext;
  locale: Locale;
  /** The person as the core resolves them: the community comes from the chat's binding. */
  actor: ActorRef;
  /** A button's action, parsed from its callback data; undefined for a message. */
  action: ButtonAction | undefined;
};

export type YishiContext = Context & { turn: Turn };

/** The turn for an update from `chatId` by `userId`, read in one query. */
export async function loadTurn(
  deps: Pick<TelegramDeps, 'chats'>,
  input: {
    botId: number;
    updateId: number;
    chatId: string;
    userId: string;
    isPrivate: boolean;
    threadId?: number | undefined;
    action: ButtonAction | undefined;
  },
): Promise<Turn> {
  const chat = await deps.chats.context('telegram', input.chatId, {
    userId: input.userId,
    withIdentities: input.isPrivate,
  });
  if (input.isPrivate) await deps.chats.reachable('telegram', input.chatId);
  return {
    updateKey: `tg-${input.botId}-${input.updateId}`,
    replyKey: `tg-reply-${input.botId}-${input.updateId}`,
    chatId: input.chatId,
    userId: input.userId,
    isPrivate: input.isPrivate,
    threadId: input.threadId,
    chat,
    locale: chatLocale(chat),
    actor: {
      kind: 'chat',
      platform: 'telegram',
      userId: input.userId,
      chatId: input.chatId,
      isPrivate: input.isPrivate,
    },
    action: input.action,
  };
}
