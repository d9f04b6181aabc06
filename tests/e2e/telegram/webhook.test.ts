/**
 * The webhook as Telegram uses it: the secret header, redelivered updates,
 * and a database that is down.
 */

import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTelegramAdapter } from '../../../bots/telegram/index.ts';
import { bindChat } from '../../../src/app/bind-chat.ts';
import { createHttpApp, listen } from '../../../src/runtime/http-server.ts';
import { createMetrics } from '../../../src/runtime/metrics.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { chatStore } from '../../../src/store/chat-store.ts';
import { openDatabase } from '../../../src/store/database.ts';
import { deliberationStore } from '../../../src/store/deliberation-store.ts';
import { joinCodeStore } from '../../../src/store/roster-store.ts';
import { statusReader } from '../../../src/store/status-store.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import {
  callbackAnswerOf,
  callbackUpdate,
  linkTelegramAccounts,
  messageUpdate,
  startTelegramGateway,
  TEST_SECRET,
  type TelegramGateway,
  userIdOf,
} from '../../support/telegram.ts';

const GROUP = -1001000000001;

describe('telegram webhook', () => {
  let db: TestDatabase;
  let c: TestCommunity;
  let gw: TelegramGateway;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await seedCommunity(db, { households: 20 });
    await bindChat(rosterDeps(db), {
      communityId: c.id,
      platform: 'telegram',
      chatId: String(GROUP),
    });
    await linkTelegramAccounts(db, c, [0, 1, 2, 3, 4, 5]);
    gw = await startTelegramGateway(db, c.deps);
  });
  afterAll(async () => {
    await gw?.close();
    await db?.drop();
  });

  const counts = async () => ({
    proposals: await db.prisma.proposal.count(),
    cosigns: await db.prisma.cosign.count(),
    audit: await db.prisma.auditEntry.count({ where: { communityId: c.id } }),
    outbox: await db.prisma.outbox.count(),
    idempotency: await db.prisma.idempotencyRecord.count(),
  });
  /** Bot API calls except the getMe at start. */
  const outbound = () => gw.fake.calls().filter((call) => call.method !== 'getMe');

  it('refuses a missing or wrong secret with 401: nothing stored, nothing sent', async () => {
    const before = await counts();
    const update = messageUpdate({ chatId: GROUP, userId: userIdOf(1), text: '/propose 修路灯' });
    const wrongSameLength = TEST_SECRET.replace(/.$/, (ch) => (ch === 'x' ? 'y' : 'x'));
    expect(wrongSameLength).toHaveLength(TEST_SECRET.length);
    expect(wrongSameLength).not.toBe(TEST_SECRET);
    const answers = [
      await gw.post(update, null),
      await gw.post(update, wrongSameLength),
      await gw.post(update, `${TEST_SECRET}-longer`),
      await gw.post(update, 'x'),
    ];
    const garbage = await fetch(`${gw.url}/telegram/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{not json',
    });
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401]);
    expect(garbage.status).toBe(401);
    expect(await counts()).toEqual(before);
    expect(outbound()).toEqual([]);

    // The same update with the right secret is acted on: the refusals above were the secret's doing.
    expect((await gw.post(update)).status).toBe(200);
    expect((await counts()).proposals).toBe(before.proposals + 1);
  });

  it('refuses a body that is not an update, or over 1 MB, with 4xx: nothing stored, nothing sent', async () => {
    const before = await counts();
    const post = (body: string) =>
      fetch(`${gw.url}/telegram/webhook`, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'X-Telegram-Bot-Api-Secret-Token': TEST_SECRET,
        },
        body,
      });
    const statuses = [
      (await post('{not json')).status,
      (await post('[]')).status,
      (await post('42')).status,
      (await post(`{"update_id":1,"padding":"${'x'.repeat(1024 * 1024)}"}`)).status,
    ];
    expect(statuses).toEqual([400, 400, 400, 413]);
    expect(await counts()).toEqual(before);
    expect(outbound()).toEqual([]);
  });

  it('counts webhook requests under their route in the HTTP metric', async () => {
    const metrics = createMetrics();
    const app = createHttpApp({ health: async () => ({}), metrics });
    gw.adapter.mount(app);
    const server = await listen(app, 0);
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/telegram/webhook`;
      const response = await fetch(url, { method: 'POST', body: '{}' });
      expect(response.status).toBe(401);
      const text = await metrics.registry.metrics();
      expect(text).toMatch(
        /yishi_http_requests_total\{route="\/telegram\/webhook",status="401"\} 1/,
      );
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('acts on an update posted twice at once, and again later, once: one effect, one reply', async () => {
    const number = (await db.prisma.proposal.findFirstOrThrow({ orderBy: { number: 'desc' } }))
      .number;
    const update = messageUpdate({ chatId: GROUP, userId: userIdOf(2), text: `/cosign ${number}` });
    const replies = () =>
      gw.fake.calls('sendMessage').filter((call) => String(call.params.chat_id) === String(GROUP));
    const before = { cosigns: await db.prisma.cosign.count(), replies: replies().length };

    const [first, second] = await Promise.all([gw.post(update), gw.post(update)]);
    const later = await gw.post(update);

    expect([first.status, second.status, later.status]).toEqual([200, 200, 200]);
    expect(await db.prisma.cosign.count()).toBe(before.cosigns + 1);
    expect(await db.prisma.auditEntry.count({ where: { action: 'proposal.cosigned' } })).toBe(1);
    const sent = replies().slice(before.replies);
    expect(sent).toHaveLength(1);
    expect(String(sent[0]?.params.text)).toContain(`您已附议 #${number}：2/`);
  });

  it('answers a redelivered button press once', async () => {
    const number = (await db.prisma.proposal.findFirstOrThrow({ orderBy: { number: 'desc' } }))
      .number;
    const update = callbackUpdate({
      chatId: GROUP,
      userId: userIdOf(3),
      messageId: 1,
      data: `v1:c:${number}`,
    });
    const before = gw.fake.calls('answerCallbackQuery').length;
    const responses = await Promise.all([gw.post(update), gw.post(update), gw.post(update)]);
    responses.push(await gw.post(update));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200, 200]);
    // Each delivery answers in its body with the one outcome; Telegram shows the first answer
    // and refuses the others (one answer per callback query).
    for (const r of responses) {
      expect(callbackAnswerOf(r.reply)?.text).toMatch(/您已附议 #\d+：3\//);
    }
    const answers = gw.fake.calls('answerCallbackQuery').slice(before);
    expect(answers.filter((a) => a.status === 200)).toHaveLength(1);
    expect(answers.every((a) => a.via === 'webhook')).toBe(true);
    expect(await db.prisma.cosign.count({ where: { residentId: c.residents[3]?.id } })).toBe(1);
  });

  it('serves the same commands by long polling when there is no public URL', async () => {
    const polling = await createTelegramAdapter({
      token: '123456789:TEST-token',
      apiRoot: gw.fake.apiRoot,
      deps: {
        core: c.deps,
        joinCodes: { ...c.deps, joinCodes: joinCodeStore(db) },
        status: statusReader(db),
        chats: chatStore(db),
        log: pino({ level: 'silent' }),
      },
    });
    await polling.startPolling();
    try {
      const before = gw.fake.calls('sendMessage').length;
      const { message } = messageUpdate({
        chatId: userIdOf(5),
        userId: userIdOf(5),
        text: '/help',
      });
      gw.fake.pushUpdate({ message: message as Record<string, never> });
      await gw.fake.until((f) => f.calls('sendMessage').length > before);
      const reply = gw.fake.calls('sendMessage')[before];
      expect(reply?.params.chat_id).toBe(userIdOf(5));
      expect(String(reply?.params.text)).toMatch(/^您可以使用的命令/);
    } finally {
      await polling.stop();
    }
  });

  it('answers 5xx without acting while the database is down; the redelivery then acts', async () => {
    const down = await openDatabase({
      kind: 'postgres',
      url: 'postgresql://postgres@127.0.0.1:1/unreachable',
    });
    const deadCore = { ...c.deps, store: deliberationStore(down) };
    const adapter = await createTelegramAdapter({
      token: '123456789:TEST-token',
      apiRoot: gw.fake.apiRoot,
      webhookSecret: TEST_SECRET,
      deps: {
        core: deadCore,
        joinCodes: { ...c.deps, joinCodes: joinCodeStore(down) },
        status: statusReader(down),
        chats: chatStore(down),
        log: pino({ level: 'silent' }),
      },
    });
    const app = createHttpApp({ health: async () => ({}), metrics: createMetrics() });
    adapter.mount(app);
    const server = await listen(app, 0);
    try {
      const number = (await db.prisma.proposal.findFirstOrThrow({ orderBy: { number: 'desc' } }))
        .number;
      const update = messageUpdate({
        chatId: GROUP,
        userId: userIdOf(4),
        text: `/cosign ${number}`,
      });
      const before = { cosigns: await db.prisma.cosign.count(), calls: outbound().length };
      const response = await fetch(
        `http://127.0.0.1:${(server.address() as AddressInfo).port}/telegram/webhook`,
        {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'X-Telegram-Bot-Api-Secret-Token': TEST_SECRET,
          },
          body: JSON.stringify(update),
        },
      );
      expect(response.status).toBeGreaterThanOrEqual(500);
      expect(await response.text()).not.toMatch(/ECONNREFUSED|at .*\.ts/);
      expect(await db.prisma.cosign.count()).toBe(before.cosigns);
      expect(outbound()).toHaveLength(before.calls);

      // Telegram redelivers to the gateway once the database is back.
      expect((await gw.post(update)).status).toBe(200);
      expect(await db.prisma.cosign.count()).toBe(before.cosigns + 1);
      expect(outbound()).toHaveLength(before.calls + 1);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await down.close().catch(() => {});
    }
  });

  it('forgets a recorded delivery refusal once the resident writes to the bot privately', async () => {
    const user = userIdOf(5);
    // The push queue recorded that this person had not started the bot.
    await db.prisma.deliveryProblem.create({
      data: { platform: 'telegram', chatId: String(user), reason: 'not started', at: new Date() },
    });
    const response = await gw.post(messageUpdate({ chatId: user, userId: user, text: '/help' }));
    expect(response.status).toBe(200);
    const left = await db.prisma.deliveryProblem.count({
      where: { platform: 'telegram', chatId: String(user) },
    });
    expect(left).toBe(0);
  });
});
