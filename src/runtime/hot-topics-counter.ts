/**
 * The hot-topics counter in Redis ({@link MessageCounter}). Per community
 * and local day: a hash of term -> messages, a message count, and one
 * HyperLogLog per term of the senders' salted hashes; all expire after
 * {@link DAY_TTL_SECONDS}. The salt is random, kept in Redis for a week's
 * epoch and forgotten after {@link SALT_TTL_SECONDS}: one epoch lets the
 * 7-day estimate count a person once (a daily salt would count a loud
 * resident once per day), and once the salt is gone a hash cannot be
 * tested against a user id any more. A delivery is counted once: its key
 * is hashed and kept for two days (Telegram redelivers within 24 hours).
 *
 * Writes are batched: every record of one event-loop turn goes in one
 * pipeline, so a busy group costs one round trip per batch, not per message.
 * Each message is one Lua call, so its dedupe and its counts land together.
 * While Redis is slow the queue is bounded: past {@link MAX_QUEUED} waiting
 * messages, new ones are dropped and counted (a hot list is an estimate).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { CountedDay, LocalDay, MessageCounter } from '../app/ports/hot-topics.ts';

const DAY_MS = 86_400_000;
export const DAY_TTL_SECONDS = 9 * 86_400;
export const SALT_TTL_SECONDS = 16 * 86_400;
const SEEN_TTL_SECONDS = 2 * 86_400;
const EPOCH_DAYS = 7;

// KEYS: seen, counts hash, messages, days set.
// ARGV: seen ttl, day ttl, sender hash, days member, HLL key prefix, terms...
// The HLL keys are built here (one per term): fine on one Redis, not on a cluster.
const COUNT_SCRIPT = `
if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
redis.call('INCR', KEYS[3])
redis.call('EXPIRE', KEYS[3], ARGV[2])
for i = 6, #ARGV do
  redis.call('HINCRBY', KEYS[2], ARGV[i], 1)
  local h = ARGV[5] .. ARGV[i]
  redis.call('PFADD', h, ARGV[3])
  redis.call('EXPIRE', h, ARGV[2])
end
redis.call('EXPIRE', KEYS[2], ARGV[2])
redis.call('SADD', KEYS[4], ARGV[4])
return 1
`;

type Pending = {
  communityId: string;
  day: LocalDay;
  sender: string;
  deliveryKey: string;
  terms: readonly string[];
};

const hash = (text: string) => createHash('sha256').update(text).digest('hex').slice(0, 24);

/** Days before `day` (YYYY-MM-DD), as YYYY-MM-DD. */
function daysBefore(day: LocalDay, n: number): LocalDay {
  return new Date(Date.parse(`${day}T00:00:00Z`) - n * DAY_MS).toISOString().slice(0, 10);
}

export type RedisCounterOptions = {
  /** Key prefix, default `yishi:ht`; tests isolate with their own. */
  prefix?: string;
  /** A batch that failed to write (Redis down): the counts are lost, the chat is not affected. */
  onError?: (error: Error) => void;
  /**
   * Messages waiting to be written, at most (default {@link MAX_QUEUED}): past
   * it, while Redis is slow or down, a message is dropped and `onDrop` told,
   * so a busy group cannot grow the process's memory without limit.
   */
  maxQueued?: number;
  onDrop?: () => void;
};

/** A minute of a very busy gateway (a few hundred messages a second) waiting for Redis. */
export const MAX_QUEUED = 20_000;

export function redisMessageCounter(
  redis: Redis,
  options: RedisCounterOptions = {},
): MessageCounter {
  const prefix = options.prefix ?? 'yishi:ht';
  const daysKey = `${prefix}:days`;
  const countsKey = (c: string, d: LocalDay) => `${prefix}:n:${c}:${d}`;
  const messagesKey = (c: string, d: LocalDay) => `${prefix}:m:${c}:${d}`;
  const sendersPrefix = (c: string, d: LocalDay) => `${prefix}:s:${c}:${d}:`;
  const salts = new Map<number, Promise<string>>();
  const maxQueued = options.maxQueued ?? MAX_QUEUED;
  let pending: Pending[] = [];
  // Records taken and not yet written or failed: the queue plus the batches in flight.
  let queued = 0;
  let writing: Promise<void> = Promise.resolve();
  let scheduled = false;

  /** The epoch's salt: made by whichever process asks first, the same for all. */
  function saltFor(day: LocalDay): Promise<string> {
    const epoch = Math.floor(Date.parse(`${day}T00:00:00Z`) / DAY_MS / EPOCH_DAYS);
    let salt = salts.get(epoch);
    if (!salt) {
      const key = `${prefix}:salt:${epoch}`;
      salt = (async () => {
        await redis.set(key, randomBytes(16).toString('hex'), 'EX', SALT_TTL_SECONDS, 'NX');
        const value = await redis.get(key);
        if (value === null) throw new Error('hot topics: salt vanished');
        return value;
      })();
      salt.catch(() => salts.delete(epoch));
      salts.set(epoch, salt);
      if (salts.size > 4) salts.delete(salts.keys().next().value ?? epoch);
    }
    return salt;
  }

  async function write(batch: Pending[]): Promise<void> {
    const hashed = await Promise.all(
      batch.map(async (p) => ({ p, sender: hash(`${await saltFor(p.day)}|${p.sender}`) })),
    );
    const pipeline = redis.pipeline();
    for (const { p, sender } of hashed) {
      pipeline.eval(
        COUNT_SCRIPT,
        4,
        `${prefix}:seen:${hash(p.deliveryKey)}`,
        countsKey(p.communityId, p.day),
        messagesKey(p.communityId, p.day),
        daysKey,
        SEEN_TTL_SECONDS,
        DAY_TTL_SECONDS,
        sender,
        `${p.communityId}|${p.day}`,
        sendersPrefix(p.communityId, p.day),
        ...p.terms,
      );
    }
    const results = await pipeline.exec();
    const failed = results?.find(([error]) => error !== null)?.[0];
    if (failed) throw failed;
  }

  function drain(): void {
    scheduled = false;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    writing = writing
      .then(() => write(batch))
      .catch((error: unknown) => {
        options.onError?.(error instanceof Error ? error : new Error(String(error)));
      })
      .finally(() => {
        queued -= batch.length;
      });
  }

  return {
    record(entry) {
      if (queued >= maxQueued) {
        options.onDrop?.();
        return Promise.resolve();
      }
      queued++;
      pending.push({ ...entry });
      if (!scheduled) {
        scheduled = true;
        setImmediate(drain);
      }
      return Promise.resolve();
    },

    async flush() {
      drain();
      await writing;
    },

    async pendingDays() {
      const members = await redis.smembers(daysKey);
      return members.flatMap((m) => {
        const at = m.lastIndexOf('|');
        return at > 0 ? [{ communityId: m.slice(0, at), day: m.slice(at + 1) }] : [];
      });
    },

    async readDay(communityId, day): Promise<CountedDay> {
      const [counts, messages] = await Promise.all([
        redis.hgetall(countsKey(communityId, day)),
        redis.get(messagesKey(communityId, day)),
      ]);
      const terms = Object.keys(counts);
      const week = Array.from({ length: 7 }, (_, i) => daysBefore(day, i));
      const pipeline = redis.pipeline();
      for (const term of terms) {
        pipeline.pfcount(sendersPrefix(communityId, day) + term);
        // PFCOUNT of several keys is their union: a person counts once over the 7 days.
        pipeline.pfcount(...week.map((d) => sendersPrefix(communityId, d) + term));
      }
      const results = terms.length > 0 ? ((await pipeline.exec()) ?? []) : [];
      const number = (i: number) => Number(results[i]?.[1] ?? 0);
      return {
        messages: Number(messages ?? 0),
        terms: terms.map((term, i) => ({
          term,
          messages: Number(counts[term] ?? 0),
          senders: number(2 * i),
          senders7: number(2 * i + 1),
        })),
      };
    },

    async settleDay(communityId, day) {
      await redis.srem(daysKey, `${communityId}|${day}`);
    },
  };
}
