/**
 * What the bot's middleware shares: its dependencies, and the `turn` each
 * handled update carries (who acts, in which chat and community, in which
 * language, under which idempotency keys).
 */
import type { Context } from 'grammy';
import type { Logger } from 'pino';
import type { CastVoteOutcome } from '../../src/app/cast-vote.ts';
import { type ChatContext, type ChatStore, chatLocale } from '../../src/app/ports/chat.ts';
import type { ButtonAction, ChatDeps, ChatTurn } from '../../src/chat/turn.ts';
import { TELEGRAM_COMMAND_PREFIX } from './render.ts';

/** The use cases and stores the bot calls. */
export type TelegramDeps = ChatDeps & {
  chats: ChatStore;
  log: Logger;
  /** How long a claimed reply is its delivery's to send (default `REPLY_LEASE_MS` in src/chat/reply-once.ts). */
  replyLeaseMs?: number | undefined;
};

/**
 * One update being handled: the conversation's turn (idempotency key
 * `tg-<botId>-<updateId>`, reply key `tg-reply-<botId>-<updateId>`) and
 * what only Telegram has.
 */
export type Turn = ChatTurn & {
  /** The forum topic the command was sent in (`message_thread_id`); replies go there too. */
  threadId: number | undefined;
  /** A button's action, parsed from its callback data; undefined for a message. */
  action: ButtonAction | undefined;
  /** The vote the button cast before the context was read (castAhead in src/chat/handle.ts). */
  cast: CastVoteOutcome | undefined;
};

export type YishiContext = Context & { turn: Turn };

type TurnInput = {
  botId: number;
  updateId: number;
  chatId: string;
  userId: string;
  isPrivate: boolean;
  threadId?: number | undefined;
  action: ButtonAction | undefined;
};

/** What the turn is before its chat's context is read: who acts, where, under which keys. */
export function turnKeys(input: TurnInput): Omit<Turn, 'chat' | 'locale' | 'cast'> {
  return {
    platform: 'telegram',
    idempotencyKey: `tg-${input.botId}-${input.updateId}`,
    replyKey: `tg-reply-${input.botId}-${input.updateId}`,
    chatId: input.chatId,
    userId: input.userId,
    isPrivate: input.isPrivate,
    thread: input.threadId === undefined ? undefined : String(input.threadId),
    threadId: input.threadId,
    actor: {
      kind: 'chat',
      platform: 'telegram',
      userId: input.userId,
      chatId: input.chatId,
      isPrivate: input.isPrivate,
    },
    commandPrefix: TELEGRAM_COMMAND_PREFIX,
    action: input.action,
  };
}

/** The turn in a chat whose context is known. */
export function turnIn(input: TurnInput, chat: ChatContext): Turn {
  return { ...turnKeys(input), chat, locale: chatLocale(chat), cast: undefined };
}

/** The turn for an update from `chatId` by `userId`, read in one query. */
export async function loadTurn(deps: Pick<TelegramDeps, 'chats'>, input: TurnInput): Promise<Turn> {
  const chat = await deps.chats.context('telegram', input.chatId, {
    userId: input.userId,
    withIdentities: input.isPrivate,
  });
  if (input.isPrivate) await deps.chats.reachable('telegram', input.chatId);
  return turnIn(input, chat);
}
