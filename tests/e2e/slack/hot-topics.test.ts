/**
 * Hot topics on Slack: an ordinary message in an opted-in channel, posted
 * to POST /slack/events as a `message.channels` event, is counted once
 * (Slack's retry of the same event_id counts nothing more); edits, bots'
 * posts and channels not opted in add nothing.
 */
import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countMessage, localDay, type MessageSink } from '../../../src/app/count-message.ts';
import { setChatTopics } from '../../../src/app/hot-topics.ts';
import { hotTopicsParts } from '../../../src/runtime/hot-topics.ts';
import { seedCommunity, type TestCommunity, testClock } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { REDIS_URL } from '../../support/push-harness.ts';
import { type SlackGateway, slackUserOf, startSlackGateway } from '../../support/slack.ts';

const COUNTED = 'C0HOTTOPIC';
const QUIET = 'C0NOTCOUNTED';
const clock = testClock(new Date('2026-12-03T02:00:00.000Z'));
const prefix = `t-hts-${randomUUID().slice(0, 8)}`;

let db: TestDatabase;
let redis: Redis;
let community: TestCommunity;
let gateway: SlackGateway;
let hot: ReturnType<typeof hotTopicsParts>;
const handed: Promise<unknown>[] = [];

beforeAll(async () => {
  db = await createTestDatabase();
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  community = await seedCommunity(db, {
    households: 5,
    policy: { hotTopics: 'on' },
    clock,
    slackUserOf,
  });
  for (const channel of [COUNTED, QUIET]) {
    await db.sql.query(
      `INSERT INTO "ChatBinding" (id, "communityId", platform, "chatId") VALUES ($1, $2, 'slack', $3)`,
      [randomUUID(), community.id, channel],
    );
  }
  hot = hotTopicsParts({
    sql: db.sql,
    redis,
    clock,
    prefix,
    onError: (error) => {
      throw error;
    },
  });
  const opted = await setChatTopics(
    { core: community.deps, topics: hot.topics, chats: hot.chats },
    { actor: community.as(0), platform: 'slack', chatId: COUNTED, isPrivate: false, on: true },
  );
  expect(opted.kind).toBe('opted_in');
  // The production use case, each message's work kept so the test can await it.
  const sink: MessageSink = (message) => {
    handed.push(countMessage({ chats: hot.chats, counter: hot.counter, clock }, message));
  };
  gateway = await startSlackGateway(db, community.deps, {
    hotTopics: { hotTopics: { topics: hot.topics, chats: hot.chats }, countMessage: sink },
  });
});

afterAll(async () => {
  await gateway?.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await db?.drop();
});

const channelMessage = (channel: string, user: string, text: string, extra: object = {}) => ({
  type: 'message',
  channel,
  channel_type: 'channel',
  user,
  text,
  ts: `${Date.now() / 1000}`,
  ...extra,
});

describe('Slack message.channels events', () => {
  it('counts each person’s message in an opted-in channel once, and nothing else', async () => {
    const said = [
      'The elevator is broken again',
      'elevator stuck &amp; nobody came',
      'Elevator still broken',
    ];
    for (const [i, text] of said.entries()) {
      const posted = await gateway.event({
        eventId: `Ev0HT${i}`,
        event: channelMessage(COUNTED, slackUserOf(i + 1), text),
      });
      expect(posted.status).toBe(200);
    }
    // Slack retries the first event: the same event_id.
    await gateway.event({
      eventId: 'Ev0HT0',
      event: channelMessage(COUNTED, slackUserOf(1), said[0] ?? ''),
      retryNum: 1,
    });
    // Not counted: an edit, a bot's post, a channel not opted in.
    await gateway.event({
      eventId: 'Ev0HTedit',
      event: channelMessage(COUNTED, slackUserOf(2), 'elevator', { subtype: 'message_changed' }),
    });
    await gateway.event({
      eventId: 'Ev0HTbot',
      event: channelMessage(COUNTED, slackUserOf(3), 'elevator elevator', { bot_id: 'B0BOT' }),
    });
    await gateway.event({
      eventId: 'Ev0HTquiet',
      event: channelMessage(QUIET, slackUserOf(4), 'The elevator is broken'),
    });
    // Every event is acknowledged before its listener runs: wait for the five to reach the sink.
    await expect.poll(() => handed.length, { interval: 20, timeout: 5_000 }).toBe(5);
    const outcomes = await Promise.all(handed);
    // The retry is handed over too; the counter's delivery check makes it count nothing.
    expect(outcomes.filter((o) => (o as { kind: string }).kind === 'counted')).toHaveLength(4);
    await hot.counter.flush();

    const day = await hot.counter.readDay(community.id, localDay(clock.now(), 'Asia/Shanghai'));
    expect(day.messages).toBe(3);
    const elevator = day.terms.find((t) => t.term === 'elevator');
    expect(elevator).toMatchObject({ messages: 3, senders: 3 });
    // The text reached the counter decoded (&amp; is &), as terms only.
    expect(day.terms.some((t) => t.term.includes('amp'))).toBe(false);
  });
});
