/**
 * Done-when 6: two worker processes, 500 pushes to one Slack channel, a fake
 * Slack that enforces the channel limit and answers 429 with Retry-After
 * beyond it, through the real Slack sender (bots/slack/sender.ts).
 *
 * Slack's 1 message per second per channel would make 500 messages take
 * over 8 minutes, so the fake and the workers both allow 5 per 100 ms (the
 * same sliding-window rule on a shorter window, at most 50 messages/s);
 * the default (DEFAULT_PUSH_LIMITS.slack) stays Slack's.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { communityStore } from '../../../src/store/roster-store.ts';
import { DEFAULT_PUSH_LIMITS, type PushLimits } from '../../../workers/push/limits.ts';
import { createPushQueue, type PushQueue } from '../../../workers/push/queue.ts';
import { type FakeSlack, type FakeSlackLimit, startFakeSlack } from '../../support/fake-slack.ts';
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
  TEST_SLACK_TOKEN,
} from '../../support/push-harness.ts';

const PUSHES = 500;
const CHANNEL = 'C0BURST';
const PER_CHANNEL: FakeSlackLimit = { count: 5, windowMs: 100 };
/** Requests already on their way when the 429 was announced (see push-two-workers.test.ts). */
const IN_FLIGHT_GRACE_MS = 500;
/** The fake answers one request 429 `Retry-After: 1` once this many messages went through. */
const RETRY_AFTER_AT = 150;

const LIMITS: PushLimits = {
  ...DEFAULT_PUSH_LIMITS,
  slack: { perChannel: { points: PER_CHANNEL.count, durationMs: PER_CHANNEL.windowMs } },
};

describe('two push worker processes share the Slack channel limit', () => {
  let db: TestDatabase;
  let fake: FakeSlack;
  let queue: PushQueue;
  const children: PushChild[] = [];
  const prefix = `t-${randomUUID()}`;

  beforeAll(async () => {
    db = await createTestDatabase();
    fake = await startFakeSlack({
      token: TEST_SLACK_TOKEN,
      perChannel: PER_CHANNEL,
      retryAfterGraceMs: IN_FLIGHT_GRACE_MS,
    });
    const config = {
      databaseUrl: db.url,
      apiRoot: 'http://127.0.0.1:9/unused-telegram',
      slackApiUrl: fake.apiUrl,
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

  it('delivers 500 pushes to one channel exactly once each, with no request inside a Retry-After window', async () => {
    const communityId = randomUUID();
    const keys = Array.from({ length: PUSHES }, (_, i) => `slack-burst-${i}-${randomUUID()}`);
    const started = Date.now();
    await queue.enqueue(
      keys.map((key) => notice(communityId, CHANNEL, key, { platform: 'slack' })),
      { urgent: true },
    );
    await fake.until((f) => f.messagesIn(CHANNEL).length >= RETRY_AFTER_AT, 60_000);
    fake.forceRetryAfter(CHANNEL, 1);
    await fake.until((f) => f.messagesIn(CHANNEL).length >= PUSHES, 60_000);
    const elapsedMs = Date.now() - started;
    await drained(queue.queue);
    const [first, second] = await Promise.all(children.map(stopPushChild));

    const texts = fake.messagesIn(CHANNEL).map((m) => m.text);
    expect(texts).toHaveLength(PUSHES);
    expect(new Set(texts)).toEqual(new Set(keys.map(keyNoticeText)));
    const posts = fake.calls('chat.postMessage');
    const accepted = posts.filter((c) => c.status === 200).map((c) => c.at);
    const stats = fake.stats();
    const injected = posts.find((c) => c.status === 429)?.at ?? 0;
    const insideWindow = accepted.filter((at) => at > injected && at < injected + 1000);
    const busiest = busiestWindow(accepted, PER_CHANNEL.windowMs);
    const windowLimited = stats.limited - stats.insideRetryAfter - stats.inFlightAtRetryAfter;
    console.info(
      `[slack push] ${PUSHES} pushes, 2 worker processes: ${elapsedMs} ms ` +
        `(${((PUSHES / elapsedMs) * 1000).toFixed(1)} msg/s; channel limit ${PER_CHANNEL.count} per ${PER_CHANNEL.windowMs} ms); ` +
        `requests ${posts.length}, window 429s ${windowLimited}, injected 429s ${stats.forced}, ` +
        `inside Retry-After ${stats.insideRetryAfter} (+${stats.inFlightAtRetryAfter} already in flight), ` +
        `first delivery after the 429: ${(accepted.find((at) => at > injected) ?? 0) - injected} ms; ` +
        `busiest ${PER_CHANNEL.windowMs} ms window ${busiest}/${PER_CHANNEL.count}; ` +
        `worker A ${JSON.stringify(first)}, worker B ${JSON.stringify(second)}`,
    );
    expect(posts).toHaveLength(PUSHES + 1 + stats.inFlightAtRetryAfter);
    expect(stats.forced).toBe(1);
    expect(windowLimited).toBe(0);
    expect(stats.insideRetryAfter).toBe(0);
    expect(insideWindow).toEqual([]);
    expect(busiest).toBeLessThanOrEqual(PER_CHANNEL.count);
    expect(first?.sent ?? 0).toBeGreaterThan(0);
    expect(second?.sent ?? 0).toBeGreaterThan(0);
    expect((first?.sent ?? 0) + (second?.sent ?? 0)).toBe(PUSHES);
    expect(await db.prisma.noticeSent.count({ where: { key: { in: keys } } })).toBe(PUSHES);
  });
});
