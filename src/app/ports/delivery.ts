/**
 * What the push queue remembers about deliveries, in PostgreSQL (the truth
 * when Redis loses everything): which platform message shows a card in a
 * chat, which chats refuse the bot for good, and which notices went out.
 * Implemented in src/store/delivery-store.ts. Also what a card or notice
 * says, platform-neutral, and the ChatSender each platform adapter
 * implements.
 */
import type { Locale, MessageKey } from '../../i18n/translate.ts';
import type { Choice, Platform } from './store.ts';

/** Something the bound chats should see: adapters render it from fresh state. */
export type Publication = {
  kind: 'proposal_card' | 'vote_card' | 'result_card' | 'resolution_card' | 'survey_card';
  communityId: string;
  number: number;
};

/** A button's meaning; each has a typed command twin (/cosign, /vote, /survey). */
export type ButtonAction =
  | { kind: 'cosign'; number: number }
  | { kind: 'vote'; number: number; choice: Choice }
  | { kind: 'survey'; number: number; answer: 'yes' | 'no' }
  /** A hot-topics card's term (by its short id): answered with a `/propose` draft. */
  | { kind: 'topic'; termId: number; term?: string | undefined };

export type MessageLine = { key: MessageKey; params: Record<string, string | number | boolean> };

export type Card = {
  publication: Publication;
  lines: MessageLine[];
  /** For a progress bar: co-signs of the threshold, ballots of the eligible, or percent done. */
  progress: { value: number; total: number } | null;
  buttons: ButtonAction[];
};

/**
 * What a platform sender renders: a card's content or a notice (reminder,
 * escalation, digest), in one locale. Words are locale keys resolved by the
 * renderer with src/i18n; user text stays in params, to be escaped there.
 */
export type OutboundMessage = {
  locale: Locale;
  lines: MessageLine[];
  progress: Card['progress'];
  buttons: ButtonAction[];
  /** A link shown under the lines: a card's public board page (absent without one). */
  link?: CardLink;
};

/** A labelled URL; the renderer makes it a link in its markup (the label is a locale key). */
export type CardLink = { label: MessageKey; url: string };

// How the workers' push queue reaches a chat platform. Each platform
// adapter (bots/telegram, bots/slack) implements ChatSender; the composition
// root hands the senders to the workers, which never import the bots.

/**
 * A chat to write to: a group/channel, or a person's private chat (Telegram: the user id).
 * `threadId`: the forum topic to post in (Telegram `message_thread_id`), when the chat's
 * binding names one; it is resolved from the binding when the push goes out.
 */
export type ChatTarget = { platform: Platform; chatId: string; threadId?: string | undefined };

export type SendResult =
  | { kind: 'sent'; messageId: string }
  /** The platform asked to wait (HTTP 429 retry_after): pause this target, then retry. */
  | { kind: 'retry_after'; ms: number }
  /** Never deliverable (bot removed, chat gone, user never started the bot): record, do not retry. */
  | { kind: 'gone'; reason: string }
  /** The message to edit no longer exists; send a new one instead. */
  | { kind: 'message_missing' }
  /** The chat has a new id (a group upgraded to a supergroup): move it there, then resend. */
  | { kind: 'migrated'; toChatId: string }
  /** Anything else (network, 5xx): retry with backoff. */
  | { kind: 'failed'; reason: string };

export interface ChatSender {
  /** Posts a new message. Makes exactly one platform call; never retries by itself. */
  send(target: ChatTarget, message: OutboundMessage): Promise<SendResult>;
  /** Replaces a message's text and buttons in place (an unchanged text counts as sent). */
  edit(target: ChatTarget, messageId: string, message: OutboundMessage): Promise<SendResult>;
}

/** One card (a proposal's publication of one kind) in one chat. */
export type CardMessageKey = ChatTarget & {
  communityId: string;
  number: number;
  kind: Publication['kind'];
};

export interface CardMessageStore {
  /** The platform message id showing this card in this chat, if it was sent. */
  get(key: CardMessageKey): Promise<string | undefined>;
  /** Remembers (or replaces) the message showing this card. */
  put(key: CardMessageKey, messageId: string, at: Date): Promise<void>;
  /** Forgets the message (it was deleted on the platform); the next push sends a new one. */
  delete(key: CardMessageKey): Promise<void>;
}

export interface DeliveryProblemStore {
  /** Records that a chat refuses the bot for good (kicked, blocked, never started). */
  record(target: ChatTarget, reason: string, at: Date): Promise<void>;
  /** True when a permanent problem is recorded for the chat: pushes to it are dropped. */
  isGone(target: ChatTarget): Promise<boolean>;
  /** Forgets the problem (the bot was added back, the user started it). */
  clear(target: ChatTarget): Promise<void>;
}

export interface NoticeDeliveryStore {
  /** True when the notice push with this key (one notice, one chat) already went out. */
  delivered(key: string): Promise<boolean>;
  /** Records the notice push as delivered (NoticeSent); recording twice is harmless. */
  record(key: string, at: Date): Promise<void>;
}

/** Where a push addressed to a chat goes when it runs. */
export type ChatRoute = {
  /** The chat now (after any migrations) with the topic its binding names. */
  target: ChatTarget;
  /** The chat refuses the bot (recorded problem): the push is dropped. */
  gone: boolean;
};

/** A chat that got a new id: what moves with it (see src/app/migrate-chat.ts). */
export type ChatMove = {
  platform: ChatTarget['platform'];
  fromChatId: string;
  toChatId: string;
  at: Date;
  /** Where the news came from, for the audit entry. */
  source: 'service_message' | 'send_refused';
};

export type ChatMoveOutcome =
  /** Moved now: the binding (if any) under `communityId`, `cards` card messages. */
  | { kind: 'moved'; communityId: string | null; cards: number }
  /** Recorded before (a redelivery, or both service messages): nothing changed. */
  | { kind: 'already' };

export interface ChatMigrationStore {
  /**
   * Moves a chat's binding, card messages, delivery problems and /lang choice
   * to its new id and records the move (old -> new) for pushes still queued
   * for the old id, in one transaction with an audit entry per community.
   * Idempotent: a move recorded before changes nothing.
   */
  move(move: ChatMove): Promise<ChatMoveOutcome>;
}

export interface ChatRouteStore {
  /** The route of a push to `target`: follows recorded migrations, adds the bound topic. */
  route(target: ChatTarget): Promise<ChatRoute>;
}

/** The push worker's memory: card messages, refusing chats, notices delivered, routes. */
export type DeliveryStores = {
  cards: CardMessageStore;
  problems: DeliveryProblemStore;
  notices: NoticeDeliveryStore;
  routes: ChatRouteStore;
  migrations: ChatMigrationStore;
};
