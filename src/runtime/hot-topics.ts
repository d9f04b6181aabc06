/**
 * Hot topics composed: the PostgreSQL store, the Redis counter, the cached
 * opt-in lookup and the message sink the platform adapters call.
 */
import type { Redis } from 'ioredis';
import { Counter, type Registry } from 'prom-client';
import {
  type CountingChats,
  cachedCountingChats,
  type MessageSink,
  messageSink,
} from '../app/count-message.ts';
import { hotList } from '../app/hot-topics.ts';
import type { Clock } from '../app/ports/clock.ts';
import type { HotTopicStore, MessageCounter } from '../app/ports/hot-topics.ts';
import type { CommunityRecord } from '../app/ports/store.ts';
import { hotTopicStore, type SqlQueries } from '../store/hot-topics-store.ts';
import type { BoardHotTopic } from '../web/board/board-page.ts';
import { redisMessageCounter } from './hot-topics-counter.ts';

export type HotTopicsParts = {
  topics: HotTopicStore;
  counter: MessageCounter;
  chats: CountingChats;
  countMessage: MessageSink;
};

/** The board's view of the hot list: terms and counts only. */
export function boardHotTopics(
  topics: HotTopicStore,
): (community: CommunityRecord, now: Date) => Promise<BoardHotTopic[]> {
  return async (community, now) =>
    (await hotList(topics, community, now)).map((h) => ({
      term: h.term,
      count: h.last7,
      senders: h.senders7,
    }));
}

export function hotTopicsParts(deps: {
  sql: SqlQueries;
  redis: Redis;
  clock: Clock;
  /** Failures only, never a message's text (the errors carry none). */
  onError: (error: Error) => void;
  prefix?: string;
  cacheMs?: number;
  maxQueued?: number;
  /** Where `yishi_hot_topics_dropped_total` is registered (the process's /metrics). */
  registry?: Registry;
}): HotTopicsParts {
  const topics = hotTopicStore(deps.sql);
  const dropped = new Counter({
    name: 'yishi_hot_topics_dropped_total',
    help: 'Group messages not counted for hot topics because Redis was too slow to keep up',
    registers: deps.registry ? [deps.registry] : [],
  });
  const counter = redisMessageCounter(deps.redis, {
    onError: deps.onError,
    onDrop: () => dropped.inc(),
    ...(deps.prefix ? { prefix: deps.prefix } : {}),
    ...(deps.maxQueued === undefined ? {} : { maxQueued: deps.maxQueued }),
  });
  const chats = cachedCountingChats(topics, deps.clock, deps.cacheMs);
  return {
    topics,
    counter,
    chats,
    countMessage: messageSink({ chats, counter, clock: deps.clock }, deps.onError),
  };
}
