/**
 * The ports of hot topics. Counting goes to a fast counter (Redis: per-day
 * term counts and distinct-sender estimates that expire); a job rolls each
 * day into PostgreSQL (daily aggregates), which the hot list is read from.
 * Neither side ever receives a message's text, its id or its sender's id:
 * the counter gets terms and a salted hash it cannot reverse.
 */
import type { TermCounts } from '../../domain/hot-topics/rank.ts';
import type { AuditInput, CommunityRecord, Platform } from './store.ts';

/** A local calendar day of a community, `YYYY-MM-DD`. */
export type LocalDay = string;

/** A chat whose messages are counted now: bound, opted in, and its community's policy on. */
export type CountingChat = { communityId: string; timezone: string };

/** One term of a rolled-up day. */
export type DayTerm = {
  term: string;
  /** Messages that used it that day. */
  messages: number;
  /** Different senders that day (estimate). */
  senders: number;
  /** Different senders over the 7 days ending that day (estimate). */
  senders7: number;
};

/** A community's day as the counter holds it. */
export type CountedDay = { messages: number; terms: DayTerm[] };

/** Term counts for ranking, each with the short id its button names. */
export type WindowTerm = TermCounts & { termId: number };

export interface MessageCounter {
  /**
   * Counts one message's terms for a community's day, at most once per
   * `deliveryKey` (the platform redelivers). `sender` is hashed with a salt
   * the counter keeps for a week, then forgets. May return before the write
   * lands (the counter batches); `flush` waits for it.
   */
  record(entry: {
    communityId: string;
    day: LocalDay;
    sender: string;
    deliveryKey: string;
    terms: readonly string[];
  }): Promise<void>;
  /** Resolves when every record so far is written. */
  flush(): Promise<void>;
  /** The community days counted and not yet forgotten. */
  pendingDays(): Promise<{ communityId: string; day: LocalDay }[]>;
  /** A day's counts, with the 7-day sender estimate for each term. */
  readDay(communityId: string, day: LocalDay): Promise<CountedDay>;
  /** The day is final in PostgreSQL: stop listing it (its keys expire on their own). */
  settleDay(communityId: string, day: LocalDay): Promise<void>;
}

/** A committee member's private chat, for the weekly card. */
export type CommitteeChat = { platform: Platform; chatId: string; locale: string | null };

export interface HotTopicStore {
  /** The chat's community when its messages are counted now, else undefined. */
  countingChat(platform: Platform, chatId: string): Promise<CountingChat | undefined>;
  /**
   * Opts a bound chat in (`on`) or out, appending `audit` in the same
   * statement when it changed; `unchanged` (and no entry) when it already was.
   */
  setChat(
    input: {
      platform: Platform;
      chatId: string;
      communityId: string;
      on: boolean;
      at: Date;
    },
    audit: AuditInput,
  ): Promise<'changed' | 'unchanged'>;
  /** Whether the chat is opted in. */
  chatOptedIn(platform: Platform, chatId: string): Promise<boolean>;
  /** Replaces a community day's aggregates (idempotent: a rerun writes the same). */
  saveDay(communityId: string, day: LocalDay, counted: CountedDay): Promise<void>;
  /** Per-term counts for the 7 days ending `day` and the 28 before, and the volumes. */
  window(
    communityId: string,
    day: LocalDay,
  ): Promise<{
    terms: WindowTerm[];
    messages7: number;
    messagesPrevious28: number;
    firstDay: LocalDay | null;
  }>;
  /** The term behind a button's id, within the community. */
  term(communityId: string, termId: number): Promise<string | undefined>;
  /** Communities whose policy has hot topics on. */
  countingCommunities(): Promise<CommunityRecord[]>;
  community(communityId: string): Promise<CommunityRecord | undefined>;
  /** Every committee member's private chats. */
  committeeChats(communityId: string): Promise<CommitteeChat[]>;
  /** Records a weekly card as sent to a chat; false when it already was. */
  claimCard(key: string, at: Date): Promise<boolean>;
  /** Gives a claim back (the send failed), so the next run sends it. */
  releaseCard(key: string): Promise<void>;
}
