import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import {
  createPushLimiter,
  DEFAULT_PUSH_LIMITS,
  type PushLimits,
} from '../../../workers/push/limits.ts';
import { REDIS_URL } from '../../support/push-harness.ts';

const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
afterAll(() => redis.disconnect());

const limits = (overrides: Partial<PushLimits['telegram']>): PushLimits => ({
  ...DEFAULT_PUSH_LIMITS,
  telegram: { ...DEFAULT_PUSH_LIMITS.telegram, ...overrides },
  marginMs: 0,
});
const group = { platform: 'telegram' as const, chatId: '-42' };

describe('shared push limits in Redis', () => {
  it('counts a sliding window: no second burst right after a window boundary', async () => {
    const limiter = createPushLimiter(redis, {
      prefix: `t-${randomUUID()}`,
      limits: limits({ perGroup: { points: 3, durationMs: 300 } }),
    });
    for (let i = 0; i < 3; i++) {
      const taken = await limiter.acquire(group, `job-${i}`);
      expect(taken.ok).toBe(true);
      if (taken.ok) await limiter.settle(group, taken.entry);
    }
    const fourth = await limiter.acquire(group, 'job-3');
    expect(fourth.ok).toBe(false);
    if (fourth.ok) return;
    expect(fourth.reason).toBe('limited');
    expect(fourth.waitMs).toBeGreaterThan(250);
    expect(fourth.waitMs).toBeLessThanOrEqual(320);
    // Half a window later is still inside the window of the first three.
    await sleep(150);
    expect((await limiter.acquire(group, 'job-4')).ok).toBe(false);
  });

  it('takes from the bot and the group together or from neither', async () => {
    const limiter = createPushLimiter(redis, {
      prefix: `t-${randomUUID()}`,
      limits: limits({
        perBot: { points: 2, durationMs: 60_000 },
        perGroup: { points: 1, durationMs: 60_000 },
      }),
    });
    expect((await limiter.acquire(group, 'a')).ok).toBe(true);
    // The group is full: the bot's second request must stay available for another chat.
    expect((await limiter.acquire(group, 'b')).ok).toBe(false);
    expect((await limiter.acquire({ platform: 'telegram', chatId: '-43' }, 'c')).ok).toBe(true);
    expect((await limiter.acquire({ platform: 'telegram', chatId: '-44' }, 'd')).ok).toBe(false);
  });

  it('keeps a turn for a job that comes late, held back only by the limit that is full', async () => {
    const limiter = createPushLimiter(redis, {
      prefix: `t-${randomUUID()}`,
      limits: limits({
        perBot: { points: 2, durationMs: 300 },
        perGroup: { points: 20, durationMs: 60_000 },
      }),
    });
    const other = { platform: 'telegram' as const, chatId: '-77' };
    // The group's first card, and another chat's message: the bot is full.
    for (const [target, member] of [
      [group, 'card-1'],
      [other, 'x'],
    ] as const) {
      const taken = await limiter.acquire(target, member);
      expect(taken.ok).toBe(true);
      if (taken.ok) await limiter.settle(target, taken.entry);
    }
    // The group's second card is planned behind them.
    const planned = await limiter.acquire(group, 'card-2', false);
    expect(planned.ok).toBe(false);
    if (planned.ok) return;
    // Woken before its turn: the turn stands (it is not sent to the back of the queue).
    await sleep(Math.max(0, planned.waitMs - 100));
    const early = await limiter.acquire(group, 'card-2', false);
    expect(early.ok).toBe(false);
    if (!early.ok) expect(early.waitMs).toBeLessThanOrEqual(110);
    // It comes late: once its claim has lapsed, others use the room meanwhile.
    await sleep(250);
    for (const member of ['z1', 'z2']) {
      const taken = await limiter.acquire(other, member);
      expect(taken.ok).toBe(true);
      if (taken.ok) await limiter.settle(other, taken.entry);
    }
    // It keeps its turn: the next room of the bot (whose window is 300 ms), not the
    // group's 60 s window (the group has room although it sent a card a moment ago).
    const late = await limiter.acquire(group, 'card-2');
    expect(late.ok).toBe(false);
    if (!late.ok) expect(late.waitMs).toBeLessThanOrEqual(320);
  });

  it('counts a request still in flight however long it takes, and from its answer after', async () => {
    const limiter = createPushLimiter(redis, {
      prefix: `t-${randomUUID()}`,
      limits: limits({ perGroup: { points: 1, durationMs: 100 } }),
    });
    const first = await limiter.acquire(group, 'slow');
    expect(first.ok).toBe(true);
    await sleep(200);
    expect((await limiter.acquire(group, 'next')).ok).toBe(false);
    if (first.ok) await limiter.settle(group, first.entry);
    expect((await limiter.acquire(group, 'next')).ok).toBe(false);
    await sleep(120);
    expect((await limiter.acquire(group, 'next')).ok).toBe(true);
  });

  it('plans waiting requests in turn instead of waking them all at once', async () => {
    const limiter = createPushLimiter(redis, {
      prefix: `t-${randomUUID()}`,
      limits: limits({ perGroup: { points: 2, durationMs: 1_000 } }),
    });
    for (const job of ['a', 'b']) expect((await limiter.acquire(group, job)).ok).toBe(true);
    const waits: number[] = [];
    for (const job of ['c', 'd', 'e', 'f', 'g']) {
      const answer = await limiter.acquire(group, job);
      if (answer.ok) throw new Error(`${job} should wait`);
      waits.push(answer.waitMs);
    }
    // Two per second: c and d after one window, e and f after two, g after three.
    const windows = waits.map((ms) => Math.round(ms / 1000));
    expect(windows).toEqual([1, 1, 2, 2, 3]);
  });

  it('holds a paused target and only it', async () => {
    const limiter = createPushLimiter(redis, {
      prefix: `t-${randomUUID()}`,
      limits: DEFAULT_PUSH_LIMITS,
    });
    await limiter.pause(group, 500);
    const held = await limiter.acquire(group, 'x');
    expect(held).toMatchObject({ ok: false, reason: 'paused' });
    if (!held.ok) expect(held.waitMs).toBeGreaterThan(400);
    expect((await limiter.acquire({ platform: 'telegram', chatId: '-7' }, 'y')).ok).toBe(true);
  });
});
