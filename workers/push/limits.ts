/**
 * Platform rate limits shared by every worker process, kept in Redis.
 *
 * Each limit is a sliding window: at most `points` requests in any
 * `durationMs`. The platforms count that way (or stricter), and a fixed
 * window (rate-limiter-flexible's Redis limiters) would let twice the limit
 * through across a window boundary; the library also cannot take points
 * from several limiters atomically (a request to a Telegram group needs the
 * bot's budget and the group's), so this is a small Lua script instead.
 *
 * A request that may not go now gets a planned time: the earliest instant
 * its limits leave room for it after every request already sent or planned
 * (a virtual queue per limit). The job sleeps until then and checks again,
 * so hundreds of waiting jobs wake in turn instead of all at once. The plan
 * is only advice: the check at send time alone decides.
 *
 * A request counts from the moment it is taken, however long the call takes,
 * and once answered from the time of its answer: the platform counted it on
 * arrival, somewhere in between, so no platform window ever sees more than
 * the limit, whatever the network latency. Redis's clock is the one clock.
 */
import type { Redis } from 'ioredis';
import type { ChatTarget } from '../../src/app/ports/delivery.ts';

/** At most `points` requests in any `durationMs`. */
export type Limit = { points: number; durationMs: number };

export type PushLimits = {
  telegram: {
    /** Every message request of the bot (sends and edits). */
    perBot: Limit;
    /** Per group chat (negative chat id), sends and edits together. */
    perGroup: Limit;
    /** Per private chat. */
    perPrivateChat: Limit;
  };
  slack: {
    perChannel: Limit;
  };
  /**
   * Added to every window. A request counts from when it is taken until a
   * window after its answer, so it covers the platform's arrival time
   * whatever the latency; the margin only absorbs clock granularity.
   */
  marginMs: number;
};

/** The platforms' published limits. */
export const DEFAULT_PUSH_LIMITS: PushLimits = {
  telegram: {
    perBot: { points: 30, durationMs: 1_000 },
    perGroup: { points: 20, durationMs: 60_000 },
    perPrivateChat: { points: 1, durationMs: 1_000 },
  },
  slack: { perChannel: { points: 1, durationMs: 1_000 } },
  marginMs: 10,
};

export type Acquired =
  | { ok: true; entry: string }
  | { ok: false; waitMs: number; reason: 'paused' | 'limited' };

export interface PushLimiter {
  /**
   * Takes one request from every limit of `target` if all have room now and
   * the target is not paused; otherwise plans the job (`member`, its job id)
   * and says how long to wait. Nothing is taken when it answers "wait".
   * With `take: false` it only looks (and plans when there is no room), so
   * a job can wait before doing the work its request needs.
   */
  acquire(target: ChatTarget, member: string, take?: boolean): Promise<Acquired>;
  /** Called once the platform answered the request `entry` was taken for. */
  settle(target: ChatTarget, entry: string): Promise<void>;
  /** Drops the job's planned turn (it ended without sending, or failed): no slot is held for it. */
  forget(target: ChatTarget, member: string): Promise<void>;
  /** Holds every request to `target` for `ms` (a platform's `retry_after`). */
  pause(target: ChatTarget, ms: number): Promise<void>;
}

// KEYS[1] pause key; then per limit KEYS[2i] its log, KEYS[2i+1] its plan.
// ARGV[1] member, ARGV[2] a unique log entry, ARGV[3] the plan slack (ms), ARGV[4] the
// longest a call may stay in flight (ms), ARGV[5] 1 to take or 0 to only look,
// ARGV[6] how long a turn whose time has come keeps the first claim on the room (ms),
// ARGV[7] how long a missed turn is remembered (ms); then per limit its points and window (ms).
// A key's time to live only ever grows: the entry added last is not always the one that
// lives longest (a turn kept is sooner than turns planned before it), and shortening the
// key's life would drop those others with it.
const EXTEND = `
local function extend(key, ms)
  ms = tonumber(ms)
  if redis.call('PTTL', key) < ms then redis.call('PEXPIRE', key, ms) end
end
`;

const ACQUIRE = `${EXTEND}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local paused = redis.call('PTTL', KEYS[1])
if paused > 0 then return {0, paused, 'paused'} end
local member = ARGV[1]
local claim = tonumber(ARGV[6])
local remember = tonumber(ARGV[7])
local n = (#KEYS - 1) / 2
local free = true
for i = 1, n do
  local log, plan = KEYS[2 * i], KEYS[2 * i + 1]
  local points, window = tonumber(ARGV[6 + 2 * i]), tonumber(ARGV[7 + 2 * i])
  redis.call('ZREMRANGEBYSCORE', log, '-inf', now - window)
  redis.call('ZREMRANGEBYSCORE', plan, '-inf', now - remember)
  local taken = redis.call('ZCARD', log)
  -- Jobs whose planned time has just come have the first claim on the room; one that is
  -- later than that (its worker busy, its wake-up queued behind others) lets others use
  -- the room meanwhile, so no room goes unused for want of the job it was planned for.
  local due = redis.call('ZCOUNT', plan, now - claim, now)
  local own = redis.call('ZSCORE', plan, member)
  if own and tonumber(own) <= now and tonumber(own) >= now - claim then due = due - 1 end
  if taken + due >= points then free = false end
end
if free and ARGV[5] == '0' then return {1, 0, 'ok'} end
if free then
  for i = 1, n do
    local log, plan = KEYS[2 * i], KEYS[2 * i + 1]
    local window = tonumber(ARGV[7 + 2 * i])
    -- In flight: dated in the future (so it counts however long the call takes) until settled.
    redis.call('ZADD', log, now + tonumber(ARGV[4]), ARGV[2])
    extend(log, window + tonumber(ARGV[4]))
    redis.call('ZREM', plan, member)
  end
  return {1, 0, 'ok'}
end
local slack = tonumber(ARGV[3])
local wake = now + 1
local kept = {}
for i = 1, n do
  local log, plan = KEYS[2 * i], KEYS[2 * i + 1]
  local points, window = tonumber(ARGV[6 + 2 * i]), tonumber(ARGV[7 + 2 * i])
  local own = redis.call('ZSCORE', plan, member)
  local at = nil
  if own and tonumber(own) > now then
    -- Woken before its turn (to be on time for it): the turn stands.
    at = tonumber(own)
  elseif own then
    -- Its planned time came and the room is not there (it woke late, or the requests
    -- before it went out late): it keeps its turn, in the order of the turns. The entry
    -- keeps its planned time, so every late job counts the late turns before its own
    -- and they leave one by one as the window frees, instead of all at once.
    kept[i] = true
    local taken = redis.call('ZCARD', log)
    local ahead = redis.call('ZCOUNT', plan, now - remember, '(' .. own)
    local leaving = taken + ahead - points + 1
    if leaving < 1 then
      -- This limit has room: it is not what holds the job back.
      at = now + 1
    elseif leaving <= taken then
      local entry = redis.call('ZRANGE', log, leaving - 1, leaving - 1, 'WITHSCORES')
      at = math.min(tonumber(entry[2]), now) + window + 1
    else
      at = now + window * math.ceil((leaving - taken) / points) + 1
    end
  end
  if at == nil then
    local times = {}
    local recent = redis.call('ZRANGE', log, -points, -1, 'WITHSCORES')
    for j = 2, #recent, 2 do times[#times + 1] = math.min(tonumber(recent[j]), now) end
    local planned = redis.call('ZRANGE', plan, -points, -1, 'WITHSCORES')
    for j = 2, #planned, 2 do times[#times + 1] = tonumber(planned[j]) end
    table.sort(times)
    -- Room comes when the points-th latest request, sent or planned, leaves the window.
    if #times >= points then at = times[#times - points + 1] + window + slack end
  end
  if at and at > wake then wake = at end
end
for i = 1, n do
  local plan = KEYS[2 * i + 1]
  local window = tonumber(ARGV[7 + 2 * i])
  if not kept[i] then redis.call('ZADD', plan, wake, member) end
  extend(plan, wake - now + window + remember)
end
return {0, wake - now, 'limited'}
`;

// Moves a request's log entry to the time its answer came: the platform counted it on
// arrival, somewhere between the two, so the later time is the safe one.
const SETTLE = `${EXTEND}
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
for i = 1, #KEYS do
  if redis.call('ZSCORE', KEYS[i], ARGV[1]) then
    redis.call('ZADD', KEYS[i], 'XX', now, ARGV[1])
    -- Other requests may still be in flight: never shorten the log's life below theirs.
    extend(KEYS[i], ARGV[i + 1])
  end
end
return 1
`;

const PAUSE = `
if redis.call('PTTL', KEYS[1]) < tonumber(ARGV[1]) then
  redis.call('SET', KEYS[1], '1', 'PX', ARGV[1])
end
return 1
`;

/** Extra delay on a planned time, for the lateness of a delayed job's wake-up. */
const PLAN_SLACK_MS = 10;

/**
 * A job whose planned time has come has the first claim on the room for this
 * long; after that, others may use the room until it shows up.
 */
const CLAIM_MS = 100;

/**
 * A turn is remembered this long after its time, so a job that wakes late
 * (its wake-up queued behind a burst of new jobs) takes the next room
 * instead of going to the back of the queue.
 */
const REMEMBER_MS = 30_000;

/**
 * A request counts against its limits from the moment it is taken until its
 * answer (then from the answer's time, see SETTLE); one whose worker died
 * mid-call stops counting after this long.
 */
const IN_FLIGHT_MS = 15_000;

type Scope = { key: string; limit: Limit };

export function limitsOf(target: ChatTarget, limits: PushLimits): Scope[] {
  if (target.platform === 'slack') {
    return [{ key: `slack:chat:${target.chatId}`, limit: limits.slack.perChannel }];
  }
  const chat = target.chatId.startsWith('-')
    ? limits.telegram.perGroup
    : limits.telegram.perPrivateChat;
  return [
    { key: 'telegram:bot', limit: limits.telegram.perBot },
    { key: `telegram:chat:${target.chatId}`, limit: chat },
  ];
}

/**
 * A limiter on `redis` whose keys start with `prefix` (use the queue's
 * prefix, so tests on one Redis stay apart).
 */
export function createPushLimiter(
  redis: Redis,
  options: { prefix: string; limits: PushLimits },
): PushLimiter {
  const { prefix, limits } = options;
  const pauseKey = (target: ChatTarget) =>
    `${prefix}:push:pause:${target.platform}:${target.chatId}`;
  let sequence = 0;
  return {
    async acquire(target, member, take = true) {
      const scopes = limitsOf(target, limits);
      const keys = [pauseKey(target)];
      const entry = `${member}@${process.pid}-${++sequence}`;
      const args: (string | number)[] = [
        member,
        entry,
        PLAN_SLACK_MS,
        IN_FLIGHT_MS,
        take ? 1 : 0,
        CLAIM_MS,
        REMEMBER_MS,
      ];
      for (const { key, limit } of scopes) {
        keys.push(`${prefix}:push:rl:${key}`, `${prefix}:push:plan:${key}`);
        args.push(limit.points, limit.durationMs + limits.marginMs);
      }
      const [ok, waitMs, reason] = (await redis.eval(ACQUIRE, keys.length, ...keys, ...args)) as [
        number,
        number,
        string,
      ];
      if (ok === 1) return { ok: true, entry };
      return { ok: false, waitMs, reason: reason === 'paused' ? 'paused' : 'limited' };
    },
    async settle(target, entry) {
      const scopes = limitsOf(target, limits);
      await redis.eval(
        SETTLE,
        scopes.length,
        ...scopes.map(({ key }) => `${prefix}:push:rl:${key}`),
        entry,
        ...scopes.map(({ limit }) => limit.durationMs + limits.marginMs),
      );
    },
    async forget(target, member) {
      const pipeline = redis.pipeline();
      for (const { key } of limitsOf(target, limits))
        pipeline.zrem(`${prefix}:push:plan:${key}`, member);
      await pipeline.exec();
    },
    async pause(target, ms) {
      await redis.eval(PAUSE, 1, pauseKey(target), Math.max(1, Math.ceil(ms)));
    },
  };
}

// A short lease on one card in one chat, so two jobs never both send it anew.
const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`;

export interface CardLocks {
  /** True when the lease was taken; it lapses after `ttlMs` if never released. */
  take(cardKey: string, owner: string, ttlMs: number): Promise<boolean>;
  release(cardKey: string, owner: string): Promise<void>;
}

export function createCardLocks(redis: Redis, prefix: string): CardLocks {
  const key = (cardKey: string) => `${prefix}:push:lock:${cardKey}`;
  return {
    async take(cardKey, owner, ttlMs) {
      return (await redis.set(key(cardKey), owner, 'PX', ttlMs, 'NX')) === 'OK';
    },
    async release(cardKey, owner) {
      await redis.eval(RELEASE, 1, key(cardKey), owner);
    },
  };
}
