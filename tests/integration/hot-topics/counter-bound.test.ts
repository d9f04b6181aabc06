/**
 * While Redis cannot keep up, the counter's queue stays bounded: messages
 * past the bound are dropped and counted in /metrics, the ones taken are
 * written once Redis answers.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { hotTopicsParts } from '../../../src/runtime/hot-topics.ts';
import { testClock } from '../../support/community.ts';
import { REDIS_URL } from '../../support/push-harness.ts';

let redis: Redis;
const prefix = `t-htq-${randomUUID().slice(0, 8)}`;

beforeAll(() => {
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
});
afterAll(async () => {
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
});

it('drops and counts messages past the queue bound instead of growing', async () => {
  const registry = new Registry();
  const hot = hotTopicsParts({
    // The counter alone is exercised: no statement reaches the database.
    sql: { query: () => Promise.reject(new Error('no database in this test')) },
    redis,
    clock: testClock(),
    prefix,
    registry,
    maxQueued: 10,
    onError: (error) => {
      throw error;
    },
  });
  // 100 messages in one turn of the event loop: none can be written before the 11th arrives.
  for (let i = 0; i < 100; i++) {
    await hot.counter.record({
      communityId: 'c1',
      day: '2026-12-01',
      sender: `telegram:${i}`,
      deliveryKey: `d-${i}`,
      terms: ['电梯'],
    });
  }
  await hot.counter.flush();
  const day = await hot.counter.readDay('c1', '2026-12-01');
  expect(day.messages).toBe(10);
  const dropped = await registry.getSingleMetric('yishi_hot_topics_dropped_total')?.get();
  expect(dropped?.values[0]?.value).toBe(90);

  // Once written, the queue takes messages again.
  await hot.counter.record({
    communityId: 'c1',
    day: '2026-12-01',
    sender: 'telegram:x',
    deliveryKey: 'd-x',
    terms: ['电梯'],
  });
  await hot.counter.flush();
  expect((await hot.counter.readDay('c1', '2026-12-01')).messages).toBe(11);
});
