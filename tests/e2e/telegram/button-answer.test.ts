/**
 * A button press is answered in the webhook's response body: no request to
 * the Bot API and no reply claim for it. Telegram takes one answer per
 * callback query, so a press redelivered after a 5xx is answered then, and
 * one redelivered after its answer is refused a second one, harmlessly.
 * Messages (a typed /vote's private confirmation) keep their own request
 * under the reply claim.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindChat } from '../../../src/app/bind-chat.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { chatStore } from '../../../src/store/chat-store.ts';
import { type Database, openDatabase } from '../../../src/store/database.ts';
import { deliberationStore } from '../../../src/store/deliberation-store.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import {
  callbackAnswerOf,
  callbackUpdate,
  linkTelegramAccounts,
  messageUpdate,
  startTelegramGateway,
  TEST_TOKEN,
  type TelegramGateway,
  userIdOf,
} from '../../support/telegram.ts';
import { openedVote } from '../../support/voting.ts';

const GROUP = -1001000000517;
const DAY = 24 * 3600 * 1000;
const BOT_ID = TEST_TOKEN.split(':')[0];
const RECORDED = /^您对 #\d+ 的投票已记录：赞成。/;

describe('a button press answered in the webhook response', () => {
  let db: TestDatabase;
  let c: TestCommunity;
  let gw: TelegramGateway;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await seedCommunity(db, { households: 12 });
    await bindChat(rosterDeps(db), { communityId: c.id, platform: 'telegram', chatId: `${GROUP}` });
    await linkTelegramAccounts(db, c, [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    gw = await startTelegramGateway(db, c.deps);
  });
  afterAll(async () => {
    await gw?.close();
    await db?.drop();
  });

  const press = (voter: number, number: number) =>
    callbackUpdate({
      chatId: GROUP,
      userId: userIdOf(voter),
      messageId: 9,
      data: `v1:v:${number}:f`,
    });
  const queryId = (update: ReturnType<typeof press>) =>
    String((update.callback_query as { id: string }).id);
  /** What the fake Bot API did with answers to this press's query, and how they reached it. */
  const answersTo = (update: ReturnType<typeof press>) =>
    gw.fake
      .calls('answerCallbackQuery')
      .filter((call) => call.params.callback_query_id === queryId(update))
      .map((call) => ({ via: call.via, status: call.status }));
  /** Ballots on vote `number` (each test presses on its own vote). */
  const ballotsOf = (number: number) =>
    db.prisma.ballot.count({ where: { proposal: { communityId: c.id, number } } });
  const replyClaim = (update: { update_id: number }) =>
    db.prisma.idempotencyRecord.findUnique({
      where: { key: `tg-reply-${BOT_ID}-${update.update_id}` },
    });

  /** The proposal row held FOR UPDATE elsewhere, as a long committee edit would: a ballot waits. */
  async function holdProposal(number: number): Promise<pg.Client> {
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    await holder.query('BEGIN');
    await holder.query(
      'SELECT id FROM "Proposal" WHERE "communityId" = $1 AND number = $2 FOR UPDATE',
      [c.id, number],
    );
    return holder;
  }

  it('answers in the body: no Bot API request, no reply claim', async () => {
    const number = await openedVote(c, 7 * DAY);
    const update = press(1, number);
    const response = await gw.post(update);

    expect(response.status).toBe(200);
    expect(response.reply?.method).toBe('answerCallbackQuery');
    expect(response.reply?.params.callback_query_id).toBe(queryId(update));
    expect(callbackAnswerOf(response.reply)).toEqual({
      text: expect.stringMatching(RECORDED),
      alert: false,
    });
    // Telegram carried it out (the fake, as Telegram, was handed the body); the bot made no request.
    expect(answersTo(update)).toEqual([{ via: 'webhook', status: 200 }]);
    expect(await replyClaim(update)).toBeNull();
    expect(await ballotsOf(number)).toBe(1);
  });

  it('gives a redelivered answered press the same answer, which Telegram refuses: one ballot', async () => {
    const number = await openedVote(c, 7 * DAY);
    const update = press(2, number);
    expect((await gw.post(update)).status).toBe(200);
    // Telegram redelivers an update whose 200 it did not get, possibly while the first runs.
    const again = await Promise.all([gw.post(update), gw.post(update)]);
    again.push(await gw.post(update));

    expect(again.map((r) => r.status)).toEqual([200, 200, 200]);
    for (const r of again) expect(callbackAnswerOf(r.reply)?.text).toMatch(RECORDED);
    expect(await ballotsOf(number)).toBe(1);
    // The first answer shows; the others are refused ("query is too old ... or query ID is invalid").
    expect(answersTo(update)).toEqual([
      { via: 'webhook', status: 200 },
      { via: 'webhook', status: 400 },
      { via: 'webhook', status: 400 },
      { via: 'webhook', status: 400 },
    ]);
  });

  it('answers 5xx with no call in the body when the use case fails; the redelivery answers', async () => {
    const number = await openedVote(c, 7 * DAY);
    // The same database with a 300 ms statement bound: a ballot behind a held row fails.
    const short: Database = await openDatabase(
      { kind: 'postgres', url: db.url },
      { timeouts: { statementMs: 300, idleInTransactionMs: 5_000 } },
    );
    const impatient = await startTelegramGateway(
      short,
      { ...c.deps, store: deliberationStore(short) },
      { fake: gw.fake },
    );
    const holder = await holdProposal(number);
    const update = press(3, number);
    try {
      const failed = await impatient.post(update);
      expect(failed.status).toBe(500);
      expect(failed.reply).toBeUndefined();
      expect(failed.body).not.toContain('method');
      expect(answersTo(update)).toEqual([]);
      expect(await ballotsOf(number)).toBe(0);

      await holder.query('ROLLBACK');
      const redelivered = await impatient.post(update);
      expect(redelivered.status).toBe(200);
      expect(callbackAnswerOf(redelivered.reply)?.text).toMatch(RECORDED);
      expect(answersTo(update)).toEqual([{ via: 'webhook', status: 200 }]);
      expect(await ballotsOf(number)).toBe(1);
    } finally {
      await holder.end();
      await impatient.close();
      await short.close();
    }
  });

  it('drops the answer of a press that outlasted the webhook bound (5xx); the redelivery answers', async () => {
    const number = await openedVote(c, 7 * DAY);
    const bounded = await startTelegramGateway(db, c.deps, {
      fake: gw.fake,
      webhookTimeoutMs: 300,
    });
    const holder = await holdProposal(number);
    const update = press(4, number);
    try {
      const late = await bounded.post(update);
      expect(late.status).toBe(500);
      expect(late.reply).toBeUndefined();

      // The first delivery goes on once the row is free and records the ballot; its answer has
      // no response left to ride in, and it is not sent another way.
      await holder.query('ROLLBACK');
      await expect.poll(() => ballotsOf(number), { timeout: 5_000 }).toBe(1);
      expect(answersTo(update)).toEqual([]);

      const redelivered = await bounded.post(update);
      expect(redelivered.status).toBe(200);
      // The stored outcome: the ballot as the first delivery recorded it.
      expect(callbackAnswerOf(redelivered.reply)?.text).toMatch(RECORDED);
      expect(answersTo(update)).toEqual([{ via: 'webhook', status: 200 }]);
      expect(await ballotsOf(number)).toBe(1);
    } finally {
      await holder.end();
      await bounded.close();
    }
  });

  it('casts a group’s press with its chat read in the ballot’s batch: answered in the chat’s /lang language, counted once', async () => {
    // A second group of the community that chose English; the chat's context comes from the
    // claim of the ballot's batch (castAhead), and the answer is worded from it.
    const english = GROUP - 1;
    await bindChat(rosterDeps(db), {
      communityId: c.id,
      platform: 'telegram',
      chatId: `${english}`,
    });
    await chatStore(db).setLocale('telegram', `${english}`, 'en');
    const number = await openedVote(c, 7 * DAY);
    const presses = [6, 7, 8].map((voter) =>
      callbackUpdate({
        chatId: english,
        userId: userIdOf(voter),
        messageId: 9,
        data: `v1:v:${number}:f`,
      }),
    );
    const answers = await Promise.all(presses.map((update) => gw.post(update)));

    for (const r of answers) {
      expect(r.status).toBe(200);
      expect(callbackAnswerOf(r.reply)).toEqual({
        text: expect.stringMatching(new RegExp(`^Your vote on #${number} is recorded: For\\.`)),
        alert: false,
      });
    }
    expect(await ballotsOf(number)).toBe(3);

    // A press by household 9 in a group bound to no community.
    const pressUnbound = (chatId: number) =>
      gw.post(
        callbackUpdate({ chatId, userId: userIdOf(9), messageId: 9, data: `v1:v:${number}:f` }),
      );
    // Nothing is cast, and the refusal is in the default language.
    const unbound = await pressUnbound(GROUP - 2);
    expect(callbackAnswerOf(unbound.reply)).toEqual({
      text: expect.stringContaining('本群尚未绑定社区'),
      alert: true,
    });
    // An unbound group that chose English with /lang is refused in English.
    const chosen = GROUP - 3;
    await chatStore(db).setLocale('telegram', `${chosen}`, 'en');
    const refused = await pressUnbound(chosen);
    expect(callbackAnswerOf(refused.reply)).toEqual({
      text: expect.stringContaining('This chat is not connected to a community yet.'),
      alert: true,
    });
    expect(await ballotsOf(number)).toBe(3);
  });

  it('keeps a typed /vote’s private confirmation a Bot API request under the reply claim', async () => {
    const number = await openedVote(c, 7 * DAY);
    const voter = userIdOf(5);
    const update = messageUpdate({ chatId: GROUP, userId: voter, text: `/vote ${number} for` });
    const response = await gw.post(update);

    expect(response.status).toBe(200);
    expect(response.reply).toBeUndefined();
    const confirmations = gw.fake
      .calls('sendMessage')
      .filter((call) => call.params.chat_id === voter);
    expect(confirmations.map((call) => call.via)).toEqual(['api']);
    expect(String(confirmations[0]?.params.text)).toContain(`#${number}`);
    expect((await replyClaim(update))?.outcome).toEqual({ reply: 'sent' });
    expect(await ballotsOf(number)).toBe(1);
  });
});
