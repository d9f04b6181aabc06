/**
 * What the push worker remembers in Redis about a card's new send, so that a
 * retried job does not post the card again and again.
 *
 * The Bot API has no idempotency key, and a card's message id is recorded
 * only once the platform answered: a send whose answer never came (a timeout,
 * a lost connection, the worker killed mid-request) may or may not have posted
 * the card. Such a send is retried once; after two sends of unknown outcome
 * the card is not posted a third time until the marker lapses
 * ({@link UNKNOWN_SEND_TTL_MS}), so a card appears at most twice from one
 * change. A send the platform answered (posted, refused, 429, 5xx) clears the
 * marker: its outcome is known.
 */
import type { Redis } from 'ioredis';

/** Sends of unknown outcome a card gets before it is left alone. */
export const MAX_UNKNOWN_SENDS = 2;
/** How long an unknown outcome holds back further sends of the card. */
export const UNKNOWN_SEND_TTL_MS = 10 * 60_000;

// Takes the lock when free, or when the holder is an earlier run of the same job (a job
// runs once at a time: BullMQ hands a job to another worker only after its lock lapsed).
const TAKE = `
local holder = redis.call('GET', KEYS[1])
if holder == false or holder == ARGV[1] then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
  return 1
end
return 0
`;

const STARTED = `
local n = redis.call('INCR', KEYS[1])
redis.call('PEXPIRE', KEYS[1], ARGV[1])
return n
`;

export type CardSends = {
  /**
   * The card's lease for `jobId`: a run of a job killed while holding it takes
   * it back at once instead of waiting for it to lapse.
   */
  takeLock(lockKey: string, jobId: string, ttlMs: number): Promise<boolean>;
  /** Sends already started whose outcome is unknown. */
  unknown(cardKey: string): Promise<number>;
  /** A send is about to leave: unknown until {@link CardSends.known}. */
  starting(cardKey: string): Promise<void>;
  /** The platform answered the send (whatever it said). */
  known(cardKey: string): Promise<void>;
};

export function createCardSends(redis: Redis, prefix: string): CardSends {
  const key = (cardKey: string) => `${prefix}:push:sending:${cardKey}`;
  return {
    async takeLock(lockKey, jobId, ttlMs) {
      return (await redis.eval(TAKE, 1, `${prefix}:push:lock:${lockKey}`, jobId, ttlMs)) === 1;
    },
    async unknown(cardKey) {
      return Number((await redis.get(key(cardKey))) ?? 0);
    },
    async starting(cardKey) {
      await redis.eval(STARTED, 1, key(cardKey), UNKNOWN_SEND_TTL_MS);
    },
    async known(cardKey) {
      await redis.del(key(cardKey));
    },
  };
}

/**
 * Whether a failed send was answered by the platform (the sender reports the
 * Bot API's error code first, `"502 Bad Gateway"`): then nothing was posted.
 */
export const answeredFailure = (reason: string) => /^\d{3} /.test(reason);
