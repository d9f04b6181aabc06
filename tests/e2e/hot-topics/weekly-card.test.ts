/**
 * Issue 15, done-when 4: residents talk in an opted-in group (through the
 * webhook, as Telegram delivers it), the hourly job rolls the day up, and at
 * the digest's weekday and time each committee member gets the hot list in
 * their private chat; a term's button answers with a ready `/propose`
 * draft, and sending that draft creates the proposal. Clock fixed.
 */
import { randomUUID } from 'node:crypto';
import { Api } from 'grammy';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramSender } from '../../../bots/telegram/sender.ts';
import { rollUpTopics, sendTopicCards } from '../../../src/app/hot-topics-jobs.ts';
import { seedCommunity, type TestCommunity, testClock } from '../../support/community.ts';
import { type HotTopicsGateway, startHotTopicsGateway } from '../../support/hot-topics-gateway.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { REDIS_URL } from '../../support/push-harness.ts';
import {
  callbackUpdate,
  linkTelegramAccounts,
  messageUpdate,
  TEST_TOKEN,
  userIdOf,
} from '../../support/telegram.ts';

type Button = { text: string; callback_data?: string };

let db: TestDatabase;
let redis: Redis;
let gateway: HotTopicsGateway;
let community: TestCommunity;
const prefix = `t-htc-${randomUUID().slice(0, 8)}`;
const groupId = -1_001_500_000_000 - Math.floor(Math.random() * 1e6);
// Thursday 2026-12-03 10:00 in Shanghai; the default digest is Monday 09:00.
const clock = testClock(new Date('2026-12-03T02:00:00.000Z'));
const MONDAY_0930 = new Date('2026-12-07T01:30:00.000Z');
const COMMITTEE = [0, 3];

beforeAll(async () => {
  db = await createTestDatabase();
  redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  community = await seedCommunity(db, { households: 8, policy: { hotTopics: 'on' }, clock });
  // A second committee member: the card goes to each.
  await db.sql.query(
    `UPDATE "Resident" SET roles = array_append(roles, 'committee'::"Role") WHERE id = $1`,
    [community.residents[3]?.id ?? ''],
  );
  await linkTelegramAccounts(db, community, [0, 1, 2, 3, 4, 5, 6, 7]);
  await db.sql.query(
    `INSERT INTO "ChatBinding" (id, "communityId", platform, "chatId") VALUES ($1, $2, 'telegram', $3)`,
    [randomUUID(), community.id, String(groupId)],
  );
  gateway = await startHotTopicsGateway(db, community.deps, { redis, prefix });
});

afterAll(async () => {
  await gateway?.close();
  const keys = await redis.keys(`${prefix}:*`);
  if (keys.length > 0) await redis.del(...keys);
  redis.disconnect();
  await db?.drop();
});

const buttonsOf = (m: { replyMarkup: Record<string, unknown> | undefined }) =>
  ((m.replyMarkup?.inline_keyboard ?? []) as Button[][]).flat();

describe('the weekly hot-topics card', () => {
  it('reaches each committee member privately, and its button starts a proposal that sending creates', async () => {
    // The committee opts the group in (audited once, however often it is sent).
    for (let i = 0; i < 2; i++) {
      const opt = await gateway.post(
        messageUpdate({ chatId: groupId, userId: userIdOf(0), text: '/topics on' }),
      );
      expect(opt.status).toBe(200);
    }
    const audits = await db.sql.query<{ actor: string; subject: string }>(
      `SELECT actor, subject FROM "AuditEntry" WHERE "communityId" = $1 AND action = 'hot_topics.chat_opted_in'`,
      [community.id],
    );
    expect(audits).toEqual([
      { actor: `resident:${community.residents[0]?.id}`, subject: `chat:telegram:${groupId}` },
    ]);

    // Six residents raise the elevator, two chat about nothing in particular.
    for (let i = 1; i <= 6; i++) {
      const r = await gateway.post(
        messageUpdate({
          chatId: groupId,
          userId: userIdOf(i),
          text: `${i}号楼的电梯又坏了，谁能联系维修？`,
        }),
      );
      expect(r.status).toBe(200);
    }
    await gateway.post(
      messageUpdate({ chatId: groupId, userId: userIdOf(7), text: '今天天气不错' }),
    );
    await gateway.counted();
    expect(await rollUpTopics(gateway.hot, clock.now())).toBe(1);

    const api = new Api(TEST_TOKEN, { apiRoot: gateway.fake.apiRoot });
    const cardDeps = {
      topics: gateway.hot.topics,
      senders: { telegram: createTelegramSender(api) },
    };
    // Not before the digest's time.
    expect(await sendTopicCards(cardDeps, clock.now())).toBe(0);
    clock.set(MONDAY_0930);
    expect(await sendTopicCards(cardDeps, clock.now())).toBe(COMMITTEE.length);
    // The hourly job runs again within the hour: nobody gets it twice.
    expect(await sendTopicCards(cardDeps, clock.now())).toBe(0);

    for (const i of [1, 2, 4, 5, 6, 7]) expect(gateway.fake.messagesIn(userIdOf(i))).toEqual([]);
    expect(gateway.fake.messagesIn(groupId).some((m) => m.text.includes('本周热点'))).toBe(false);
    for (const i of COMMITTEE) {
      const cards = gateway.fake.messagesIn(userIdOf(i));
      expect(cards).toHaveLength(1);
      const [card] = cards;
      expect(card?.text).toContain('电梯');
      expect(card?.text).toContain('6');
      const buttons = buttonsOf(card ?? { replyMarkup: undefined });
      expect(buttons.length).toBeGreaterThan(0);
      expect(buttons[0]?.text).toContain('电梯');
      expect(buttons[0]?.callback_data).toMatch(/^v1:t:\d+$/);
    }

    // The second committee member presses the first topic's button in their private chat.
    const member = userIdOf(3);
    const [card] = gateway.fake.messagesIn(member);
    const data = buttonsOf(card ?? { replyMarkup: undefined })[0]?.callback_data ?? '';
    const press = await gateway.post(
      callbackUpdate({ chatId: member, userId: member, messageId: card?.messageId ?? 0, data }),
    );
    expect(press.status).toBe(200);
    // The draft is a message of its own (a Bot API request); the response only stops the spinner.
    expect(press.reply).toEqual({
      method: 'answerCallbackQuery',
      params: { callback_query_id: expect.any(String) },
    });
    const draft = gateway.fake.messagesIn(member).at(-1);
    expect(draft?.messageId).not.toBe(card?.messageId);
    const command = draft?.text.split('\n').find((line) => line.startsWith('/propose'));
    expect(command).toBe('/propose 电梯');

    // Sending the draft as it is creates the proposal.
    const sent = await gateway.post(
      messageUpdate({ chatId: member, userId: member, text: command ?? '' }),
    );
    expect(sent.status).toBe(200);
    const proposals = await db.sql.query<{ title: string; authorId: string }>(
      `SELECT title, "authorId" FROM "Proposal" WHERE "communityId" = $1`,
      [community.id],
    );
    expect(proposals).toEqual([{ title: '电梯', authorId: community.residents[3]?.id }]);
  });
});
