/**
 * What a platform hands to {@link handle}: the turn (who acts, where, under
 * which keys) and the input (a parsed command or a button's action), and
 * what the conversation needs to answer it.
 */

import type { BallotBatcher } from '../app/ballot-batcher.ts';
import type { BoardLinks } from '../app/board-links.ts';
import type { CastVoteOutcome } from '../app/cast-vote.ts';
import type { CoreDeps } from '../app/core.ts';
import type { CountingChats, MessageSink } from '../app/count-message.ts';
import type { JoinDeps } from '../app/join-household.ts';
import type { ChatContext, ChatStore } from '../app/ports/chat.ts';
import type { ButtonAction } from '../app/ports/delivery.ts';
import type { HotTopicStore } from '../app/ports/hot-topics.ts';
import type { ActorRef, Platform } from '../app/ports/store.ts';
import type { StatusReader } from '../app/status.ts';
import type { Locale } from '../i18n/translate.ts';
import type { ParsedCommand } from './commands.ts';

export type { ButtonAction } from '../app/ports/delivery.ts';

/** The use cases and stores the conversation calls. */
export type ChatDeps = {
  core: CoreDeps;
  /** Group commit for ballots; absent, each ballot is its own transaction. */
  ballots?: BallotBatcher | undefined;
  joinCodes: JoinDeps;
  status: StatusReader;
  chats: Pick<ChatStore, 'setLocale'>;
  /** PUBLIC_URL and the board keys: `/status N` cards link to their board page; absent, no link. */
  boardLinks?: BoardLinks | undefined;
  /** Hot topics (`/topics`, the hot list's buttons); absent, `/topics` says they are off. */
  hotTopics?: { topics: HotTopicStore; chats: CountingChats } | undefined;
  /** Where ordinary group messages go to be counted for hot topics; absent, they are not. */
  countMessage?: MessageSink | undefined;
};

/** One command or button press being handled. */
export type ChatTurn = {
  platform: Platform;
  /** The chat the command came from (Telegram chat id, Slack channel id). */
  chatId: string;
  /** The person, as the platform names them. */
  userId: string;
  /** A one-to-one chat with the bot (Telegram private chat, Slack DM). */
  isPrivate: boolean;
  /** The thread or forum topic the command came from; replies go there. */
  thread: string | undefined;
  /** The chat's binding and locale choices (ChatStore.context). */
  chat: ChatContext;
  /** The language to answer in (chatLocale). */
  locale: Locale;
  /** The person as the core resolves them: the community comes from the chat's binding. */
  actor: ActorRef;
  /** Idempotency key of the effect: one per delivery of the platform's update or event. */
  idempotencyKey: string;
  /** Claim key of the one reply to this turn (the platform's reply plumbing uses it). */
  replyKey: string;
  /** How this platform starts a command, for words that name one: `/`, `/yishi `. */
  commandPrefix: string;
};

export type ChatInput =
  | ParsedCommand
  | {
      kind: 'action';
      action: ButtonAction;
      /** The vote's outcome when the platform cast it before the turn was made (castAhead). */
      cast?: CastVoteOutcome | undefined;
    };
