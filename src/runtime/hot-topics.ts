/**
 * Hot topics composed: the PostgreSQL store, the Redis counter, the cached
 * opt-in lookup and the message sink the platform adapters call.
 */
import type { Redis } from 'ioredis';
import {
  type CountingChats,
  cachedCountingChats,
  type MessageSink,
  messageSink,
} from '../app/count-message.ts';
import type { HotTopicStore, MessageCounter } from '../app/hot-topics-ports.ts';
import type { Clock } from '../app/ports.ts';
import { hotTopicStore, type SqlQueries } from '../store/hot-topics-store.ts';
import { redisMessageCounter } from './hot-topics-counter.ts';

export type HotTopicsParts = {
  topics: HotTopicStore;
  counter: MessageCounter;
  chats: CountingChats;
  countMessage: MessageSink;
};

export function hotTopicsParts(deps: {
  sql: SqlQueries;
  redis: Redis;
  clock: Clock;
  /** Failures only, never a message's text (the errors carry none). */
  onError: (error: Error) => void;
  prefix?: string;
  cacheMs?: number;
}): HotTopicsParts {
  const topics = hotTopicStore(deps.sql);
  const counter = redisMessageCounter(deps.redis, {
    onError: deps.onError,
    ...(deps.prefix ? { prefix: deps.prefix } : {}),
  });
  const chats = cachedCountingChats(topics, deps.clock, deps.cacheMs);
  return {
    topics,
    counter,
    chats,
    countMessage: messageSink({ chats, counter, clock: deps.clock }, deps.onError),
  };
}
