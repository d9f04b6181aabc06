/**
 * Counting one ordinary chat message for hot topics, the entry every
 * platform calls (Telegram group messages, Slack `message.channels`
 * events). Whether the chat is counted comes from a per-process cache, so
 * a busy group costs no database query per message; the terms go to the
 * counter, which batches its writes off the webhook's path. The text is
 * read here and dropped: only its terms leave this function.
 */
import { messageTerms } from '../domain/hot-topics/terms.ts';
import { toWallTime } from '../domain/zoned-time.ts';
import type { Clock } from './ports/clock.ts';
import type { CountingChat, HotTopicStore, LocalDay, MessageCounter } from './ports/hot-topics.ts';
import type { Platform } from './ports/store.ts';

/** How long a chat's counting state is trusted before it is read again (other processes' /topics). */
export const COUNTING_CACHE_MS = 30_000;

/** The local day of `at` in `timeZone`, `YYYY-MM-DD`. */
export function localDay(at: Date, timeZone: string): LocalDay {
  const w = toWallTime(at, timeZone);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${w.year}-${pad(w.month)}-${pad(w.day)}`;
}

export type CountingChats = {
  /** The chat's counting state, from the cache when fresh. */
  get(platform: Platform, chatId: string): Promise<CountingChat | undefined>;
  /** Forget a chat's cached state (this process changed it with /topics). */
  forget(platform: Platform, chatId: string): void;
};

/** A cache of {@link HotTopicStore.countingChat}, fresh for `ttlMs`. */
export function cachedCountingChats(
  store: Pick<HotTopicStore, 'countingChat'>,
  clock: Clock,
  ttlMs: number = COUNTING_CACHE_MS,
): CountingChats {
  const cache = new Map<string, { until: number; chat: Promise<CountingChat | undefined> }>();
  return {
    get(platform, chatId) {
      const key = `${platform}:${chatId}`;
      const now = clock.now().getTime();
      const hit = cache.get(key);
      if (hit && hit.until > now) return hit.chat;
      // One query however many messages arrive while it runs; a failed read is not kept.
      const chat = store.countingChat(platform, chatId).catch((error: unknown) => {
        cache.delete(key);
        throw error;
      });
      cache.set(key, { until: now + ttlMs, chat });
      if (cache.size > 10_000) cache.delete(cache.keys().next().value ?? key);
      return chat;
    },
    forget(platform, chatId) {
      cache.delete(`${platform}:${chatId}`);
    },
  };
}

export type CountMessageDeps = { chats: CountingChats; counter: MessageCounter; clock: Clock };

/** An ordinary message as a platform hands it over; only its terms are kept. */
export type MessageToCount = {
  platform: Platform;
  chatId: string;
  userId: string;
  /** The platform's delivery (Telegram `tg-<bot>-<update_id>`, Slack's event id): hashed, never kept. */
  deliveryKey: string;
  text: string;
};

/**
 * What a platform adapter calls for each ordinary message of a group or
 * channel (Telegram group messages, Slack `message.channels`). It returns at
 * once: the work happens after the platform has been answered.
 */
export type MessageSink = (message: MessageToCount) => void;

/** The sink over {@link countMessage}: failures are reported without the message. */
export function messageSink(deps: CountMessageDeps, onError: (error: Error) => void): MessageSink {
  return (message) => {
    countMessage(deps, message).catch((error: unknown) =>
      onError(error instanceof Error ? error : new Error(String(error))),
    );
  };
}

export type CountOutcome = { kind: 'counted'; terms: number } | { kind: 'not_counted' };

/**
 * Counts an ordinary message of a chat, if the chat is counted. `deliveryKey`
 * names the platform's delivery (a redelivery has the same one) and is
 * hashed before it is kept; `userId` is hashed with a salt the counter
 * forgets. Callers need not await it on the request's path.
 */
export async function countMessage(
  deps: CountMessageDeps,
  input: MessageToCount,
): Promise<CountOutcome> {
  const chat = await deps.chats.get(input.platform, input.chatId);
  if (!chat) return { kind: 'not_counted' };
  const terms = [...messageTerms(input.text)];
  if (terms.length === 0) return { kind: 'not_counted' };
  await deps.counter.record({
    communityId: chat.communityId,
    day: localDay(deps.clock.now(), chat.timezone),
    sender: `${input.platform}:${input.userId}`,
    deliveryKey: input.deliveryKey,
    terms,
  });
  return { kind: 'counted', terms: terms.length };
}
