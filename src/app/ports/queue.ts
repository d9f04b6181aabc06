/**
 * The push queue as the core sees it: "push these". A push names what to
 * deliver by ids only (no names, phone numbers or message text: the text is
 * rendered from the database when the push goes out, so it is always current
 * and the queue holds no personal data). workers/push implements PushQueue
 * and parses each job against the zod schemas in workers/push/push-request.ts,
 * which are checked to have exactly these shapes.
 */
import type { Publication } from './delivery.ts';
import type { CommunityRecord, Platform } from './store.ts';

/** A card shown in a bound chat, edited in place when it exists there already. */
export type CardPush = {
  kind: 'card';
  communityId: string;
  number: number;
  card: Publication['kind'];
  platform: Platform;
  chatId: string;
};

export type NoticeKind =
  | 'vote_reminder'
  | 'vote_reminder_private'
  | 'due_reminder'
  | 'escalation'
  | 'digest'
  | 'chat_restored'
  | 'watch_alert';

/**
 * A one-off message: a reminder, an escalation level, the weekly digest.
 * `key` names it uniquely and is recorded in NoticeSent once it went out to
 * this target, e.g. `v1-remind-vote-<proposalId>-1d` ([A-Za-z0-9_-], at most 160).
 */
export type NoticePush = {
  kind: 'notice';
  key: string;
  notice: NoticeKind;
  communityId: string;
  /** The proposal/resolution number; absent for the digest. */
  number?: number | undefined;
  /** Escalation level (1..3) or reminder offset in ms before the deadline. */
  detail?: number | undefined;
  /** For chat_restored: the bound chat the bot is back in. */
  about?: { platform: Platform; chatId: string } | undefined;
  /** For watch_alert: the alert's key (its WatchAlert row). */
  alert?: string | undefined;
  platform: Platform;
  chatId: string;
};

export type PushRequest = CardPush | NoticePush;

export type PushOptions = {
  /**
   * Urgent pushes go out now; others wait until the community's quiet hours
   * end. A card changed by a person's own action is urgent; announcements
   * (vote opened, result) and notices are not.
   */
  urgent: boolean;
  /**
   * Communities the caller has just read (the outbox relay has, for its
   * cards): their quiet hours are taken from these instead of read again.
   */
  communities?: readonly CommunityRecord[] | undefined;
};

export interface PushQueue {
  /** Queues pushes; idempotent per request (deterministic job ids), bursts of card edits coalesce. */
  enqueue(requests: readonly PushRequest[], options: PushOptions): Promise<void>;
}
