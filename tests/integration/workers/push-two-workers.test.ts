/**
 * Issue 5, done-when 5: two worker processes, 500 pushes to one Telegram
 * group, a fake platform that enforces the limits and answers 429 beyond.
 *
 * Telegram's 20 per minute per group would make 500 messages take 25
 * minutes, so the fake and the workers are both configured with 20 per
 * 300 ms per group (the same sliding-window rule on a 200 times shorter
 * window, at most 66 messages/s), and 100 per second per bot so that the
 * group limit is the one that binds.
 * The defaults (DEFAULT_PUSH_LIMITS, TELEGRAM_LIMITS) stay Telegram's.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityStore } from '../../../src/store/roster-store.ts';
import { DEFAULT_PUSH_LIMITS, type PushLimits } from '../../../workers/push/limits.ts';
import { createPushQueue, type PushQueue } from '../../../workers/push/queue.ts';
import {
  type FakeLimit,
  type FakeTelegram,
  startFakeTelegram,
} from '../../support/fake-telegram.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import {
  busiestWindow,
  type PushChild,
  startPushChild,
  stopPushChild,
} from '../../support/push-children.ts';
import {
  drained,
  keyNoticeText,
  notice,
  redisConnection,
  TEST_BOT_TOKEN,
} from '../../support/push-harness.ts';

const PUSHES = 500;
const CHAT = '-3001';
const PER_BOT: FakeLimit = { count: 100, windowMs: 1_000 };
const PER_GROUP: FakeLimit = { count: 20, windowMs: 300 };

/**
 * After the 429, requests already on their way count apart: sent by the other
 * process before the pause reached Redis, they could not know of it. Under a
 * loaded test run that gap has been seen above 100 ms (one request at the
 * fake inside the window, retried and delivered once), hence 500 ms.
 */
const IN_FLIGHT_GRACE_MS = 500;
/** The fake answers one request 429 `retry_after` 1 s once this many messages went through. */
const RETRY_AFTER_AT = 150;

const LIMITS: PushLimits = {
  ...DEFAULT_PUSH_LIMITS,
  telegram: {
    ...DEFAULT_PUSH_LIMITS.telegram,
    perBot: { points: PER_BOT.count, durationMs: PER_BOT.windowMs },
    perGroup: { points: PER_GROUP.count, durationMs: PER_GROUP.windowMs },
  },
};

describe('two push worker processes share the rate limits', () => {
  let db: TestDatabase;
  let fake: FakeTelegram;
  let queue: PushQueue;
  const children: PushChild[] = [];
  const prefix = `t-${randomUUID()}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = await startFakeTelegram({
      token: TEST_BOT_TOKEN,
      limits: { perBot: PER_BOT, perGroup: PER_GROUP },
      retryAfterGraceMs: IN_FLIGHT_GRACE_MS,
    });
    const config = {
      databaseUrl: db.url,
      apiRoot: fake.apiRoot,
      prefix,
      limits: LIMITS,
      concurrency: 16,
    };
    children.push(...(await Promise.all([startPushChild(config), startPushChild(config)])));
    queue = createPushQueue({
      connection: redisConnection(),
      prefix,
      clock: { now: () => new Date() },
      communities: communityStore(db),
    });
  });

  afterAll(async () => {
    await Promise.all(children.map(stopPushChild));
    await queue?.queue.obliterate({ force: true });
    await queue?.close();
    await fake?.close();
    await db?.drop();
  });

  it('delivers 500 pushes to one group exactly once each, with no 429 but the one injected', async () => {
    const communityId = randomUUID();
    const keys = Array.from({ length: PUSHES }, (_, i) => `burst-${i}-${randomUUID()}`);
    const started = Date.now();
    await queue.enqueue(
      keys.map((key) => notice(communityId, CHAT, key)),
      { urgent: true },
    );
    await fake.until((f) => f.messagesIn(CHAT).length >= RETRY_AFTER_AT, 60_000);
    fake.forceRetryAfter(CHAT, 1);
    await fake.until((f) => f.messagesIn(CHAT).length >= PUSHES, 60_000);
    const elapsedMs = Date.now() - started;
    await drained(queue.queue);
    const [first, second] = await Promise.all(children.map(stopPushChild));

    const texts = fake.messagesIn(CHAT).map((m) => m.text);
    expect(texts).toHaveLength(PUSHES);
    expect(new Set(texts)).toEqual(new Set(keys.map(keyNoticeText)));
    const sends = fake.calls('sendMessage');
    const accepted = sends.filter((c) => c.status === 200).map((c) => c.at);
    const stats = fake.stats();
    const injected = sends.find((c) => c.status === 429)?.at ?? 0;
    const insideWindow = accepted.filter((at) => at > injected && at < injected + 1000);
    const busiestGroup = busiestWindow(accepted, PER_GROUP.windowMs);
    const busiestBot = busiestWindow(accepted, PER_BOT.windowMs);
    console.info(
      `[push] ${PUSHES} pushes, 2 worker processes: ${elapsedMs} ms ` +
        `(${((PUSHES / elapsedMs) * 1000).toFixed(1)} msg/s; group limit ${PER_GROUP.count} per ${PER_GROUP.windowMs} ms, bot ${PER_BOT.count}/s); ` +
        `requests ${sends.length}, flood 429s ${stats.limited}, injected 429s ${stats.forced}, ` +
        `inside retry_after ${stats.insideRetryAfter} (+${stats.inFlightAtRetryAfter} already in flight), ` +
        `first delivery after the 429: ${(accepted.find((at) => at > injected) ?? 0) - injected} ms; ` +
        `busiest ${PER_GROUP.windowMs} ms window ${busiestGroup}/${PER_GROUP.count}, ` +
        `busiest 1 s window ${busiestBot}/${PER_BOT.count}; ` +
        `worker A ${JSON.stringify(first)}, worker B ${JSON.stringify(second)}`,
    );
    // Every push once, plus the injected 429 and the requests it caught in flight (retried).
    expect(sends).toHaveLength(PUSHES + 1 + stats.inFlightAtRetryAfter);
    expect(stats.forced).toBe(1);
    expect(stats.limited).toBe(0);
    expect(stats.insideRetryAfter).toBe(0);
    expect(insideWindow).toEqual([]);
    expect(busiestGroup).toBeLessThanOrEqual(PER_GROUP.count);
    expect(busiestBot).toBeLessThanOrEqual(PER_BOT.count);
    // Both processes did part of the work: the limits held across them.
    expect(first?.sent ?? 0).toBeGreaterThan(0);
    expect(second?.sent ?? 0).toBeGreaterThan(0);
    expect((first?.sent ?? 0) + (second?.sent ?? 0)).toBe(PUSHES);
    expect(await db.prisma.noticeSent.count({ where: { key: { in: keys } } })).toBe(PUSHES);
  });
});
