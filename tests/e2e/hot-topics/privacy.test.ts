/**
 * Issue 15, done-when 2 (logs and every Redis key): the zh corpus goes
 * through the webhook of an opted-in group with the gateway logging at
 * `debug`, on a Redis of the test's own (so a scan sees every key the
 * gateway wrote, queue keys and all, not only the hot-topics prefix); the
 * committee asks for the list, and the hourly job rolls up and sends cards.
 * Then neither the log nor any Redis key or value holds a message's text,
 * a sender's id, a message id or an update id. Some writes are made to fail
 * on the way, so the error path is logged too.
 */
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { Api } from 'grammy';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createTelegramSender } from '../../../bots/telegram/sender.ts';
import { localDay } from '../../../src/app/count-message.ts';
import { rollUpTopics, sendTopicCards } from '../../../src/app/hot-topics-jobs.ts';
import { seedCommunity, type TestCommunity, testClock } from '../../support/community.ts';
import { type CorpusMessage, hotTopicsCorpus } from '../../support/hot-topics-corpus.ts';
import { type HotTopicsGateway, startHotTopicsGateway } from '../../support/hot-topics-gateway.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import {
  linkTelegramAccounts,
  messageUpdate,
  TEST_TOKEN,
  userIdOf,
} from '../../support/telegram.ts';
import { startThrowawayRedis, type ThrowawayRedis } from '../../support/throwaway-redis.ts';

let db: TestDatabase;
let server: ThrowawayRedis;
let redis: Redis;
let gateway: HotTopicsGateway;
let community: TestCommunity;
const logLines: string[] = [];
const groupId = -1_002_500_000_000 - Math.floor(Math.random() * 1e6);
// Monday 2026-12-07 09:30 in Shanghai: the weekly card is due.
const clock = testClock(new Date('2026-12-07T01:30:00.000Z'));

beforeAll(async () => {
  db = await createTestDatabase();
  server = await startThrowawayRedis();
  redis = new Redis(server.url, { maxRetriesPerRequest: null });
  community = await seedCommunity(db, { households: 3, policy: { hotTopics: 'on' }, clock });
  await linkTelegramAccounts(db, community, [0]);
  await db.sql.query(
    `INSERT INTO "ChatBinding" (id, "communityId", platform, "chatId") VALUES ($1, $2, 'telegram', $3)`,
    [randomUUID(), community.id, String(groupId)],
  );
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logLines.push(String(chunk));
      done();
    },
  });
  // The production prefix: nothing here isolates keys but the Redis itself.
  gateway = await startHotTopicsGateway(db, community.deps, {
    redis,
    log: pino({ level: 'debug' }, sink),
  });
}, 30_000);

afterAll(async () => {
  await gateway?.close();
  redis?.disconnect();
  await server?.stop();
  await db?.drop();
});

const groupMessage = (m: CorpusMessage) => ({
  update_id: m.updateId,
  message: {
    message_id: m.messageId,
    from: { id: m.userId, is_bot: false, first_name: '居民', language_code: 'zh-hans' },
    chat: { id: groupId, type: 'supergroup', title: 'Group' },
    date: Math.floor(clock.now().getTime() / 1000),
    text: m.text,
  },
});

it('keeps no text, sender id, message id or update id in the debug log or any Redis key', async () => {
  const committee = userIdOf(0);
  const on = await gateway.post(
    messageUpdate({ chatId: groupId, userId: committee, text: '/topics on' }),
  );
  expect(on.status).toBe(200);

  const corpus = hotTopicsCorpus('zh');
  const [first, second] = [corpus.slice(0, 900), corpus.slice(900)];
  for (const m of first) expect((await gateway.post(groupMessage(m))).status).toBe(200);
  await gateway.counted();

  // The day's message count is made the wrong type: every write of the rest fails and is logged.
  const day = localDay(clock.now(), 'Asia/Shanghai');
  const volumeKey = `yishi:ht:m:${community.id}:${day}`;
  const volume = await redis.get(volumeKey);
  await redis.del(volumeKey);
  await redis.hset(volumeKey, 'x', '1');
  for (const m of second) expect((await gateway.post(groupMessage(m))).status).toBe(200);
  await gateway.counted();
  await redis.del(volumeKey);
  await redis.set(volumeKey, volume ?? '0');
  expect(logLines.some((l) => l.includes('hot topics counting failed'))).toBe(true);

  // A redelivery, the committee's list, the roll-up and the weekly card.
  if (first[0]) await gateway.post(groupMessage(first[0]));
  await gateway.counted();
  await gateway.post(messageUpdate({ chatId: groupId, userId: committee, text: '/topics' }));
  await rollUpTopics(gateway.hot, clock.now());
  const api = new Api(TEST_TOKEN, { apiRoot: gateway.fake.apiRoot });
  await sendTopicCards(
    { topics: gateway.hot.topics, senders: { telegram: createTelegramSender(api) } },
    clock.now(),
  );
  // The list was made from these messages: the search below looks where they went.
  expect(gateway.fake.messagesIn(committee).at(-1)?.text).toContain('电梯');

  const stored: string[] = [];
  const keys: string[] = [];
  let cursor = '0';
  do {
    const [next, batch] = await redis.scan(cursor, 'COUNT', 1000);
    cursor = next;
    keys.push(...batch);
  } while (cursor !== '0');
  expect(keys.length).toBeGreaterThan(0);
  for (const key of keys) {
    stored.push(key);
    const type = await redis.type(key);
    if (type === 'hash') stored.push(JSON.stringify(await redis.hgetall(key)));
    else if (type === 'set') stored.push((await redis.smembers(key)).join(' '));
    else if (type === 'zset') stored.push((await redis.zrange(key, '0', '-1')).join(' '));
    else if (type === 'list') stored.push((await redis.lrange(key, 0, -1)).join(' '));
    else if (type === 'stream') stored.push(JSON.stringify(await redis.xrange(key, '-', '+')));
    else if (type === 'string') stored.push((await redis.getBuffer(key))?.toString('latin1') ?? '');
    else throw new Error(`unexpected key type ${type} of ${key}`);
  }

  const needles = [
    ...corpus.map((m) => m.text),
    ...new Set(corpus.map((m) => String(m.userId))),
    ...corpus.map((m) => String(m.messageId)),
    ...corpus.map((m) => String(m.updateId)),
  ];
  // Ids as whole numbers: a hash or a log's timestamp may hold the same digits inside a longer one.
  const findIn = (haystack: string) =>
    needles.filter((n) =>
      /^\d+$/.test(n) ? new RegExp(`(?<![0-9])${n}(?![0-9])`).test(haystack) : haystack.includes(n),
    );
  const log = logLines.join('');
  expect(findIn(log)).toEqual([]);
  expect(findIn(stored.join('\n'))).toEqual([]);
  // Nor a phrase of a message: its first clause, as logged JSON would escape it or not.
  const clauses = corpus
    .map((m) => m.text.split(/[，。！？,.!?]/)[0] ?? '')
    .filter((c) => c.length > 4);
  expect(
    clauses.filter((c) => log.includes(c) || log.includes(JSON.stringify(c).slice(1, -1))),
  ).toEqual([]);
}, 60_000);
