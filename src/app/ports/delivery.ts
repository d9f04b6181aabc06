/**
 * What the push queue remembers about deliveries, in PostgreSQL (the truth
 * when Redis loses everything): which platform message shows a card in a
 * chat, which chats refuse the bot for good, and which notices went out.
 * Implemented with Prisma in src/store/delivery-store.ts.
 */
import type { Publication } from '../core.ts';
import type { ChatTarget } from './store.ts';

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
