/**
 * The composition root as it is deployed: `main.ts web` takes Telegram's
 * webhook, `main.ts worker` (a separate process) relays the outbox and
 * pushes cards; both share only PostgreSQL and Redis. A proposal typed in
 * the group comes back as a card the worker process posted, and SIGTERM
 * stops both cleanly.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindChat } from '../../../src/app/bind-chat.ts';
import { propose } from '../../../src/app/propose.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { type FakeTelegram, startFakeTelegram } from '../../support/fake-telegram.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { freePort, startGateway, startRedis } from '../../support/processes.ts';
import {
  linkTelegramAccounts,
  messageUpdate,
  SECRET_HEADER,
  TEST_SECRET,
  TEST_TOKEN,
  userIdOf,
} from '../../support/telegram.ts';

const GROUP = -1001000000321;

describe('web and worker processes', () => {
  let db: TestDatabase;
  let c: TestCommunity;
  let fake: FakeTelegram;
  let redis: Awaited<ReturnType<typeof startRedis>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    // The processes run on the system clock: the digest fell due an hour ago (a community
    // created since gets none) and no quiet hours, so the day and hour do not matter.
    c = await seedCommunity(db, { households: 10, realClock: true, policy: { quietHours: null } });
    await linkTelegramAccounts(db, c, [0, 1, 2]);
    await bindChat(rosterDeps(db), { communityId: c.id, platform: 'telegram', chatId: `${GROUP}` });
    fake = await startFakeTelegram({ token: TEST_TOKEN });
    // A Redis of the test's own: the processes use the production queue prefix.
    redis = await startRedis();
  });
  afterAll(async () => {
    await fake?.close();
    await redis?.stop();
    await db?.drop();
  });

  it('takes a command by webhook in one process and posts its card from another', async () => {
    const port = await freePort();
    const publicUrl = `http://127.0.0.1:${port}`;
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      YISHI_AUTO_MIGRATE: '0',
      TELEGRAM_BOT_TOKEN: TEST_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: TEST_SECRET,
      TELEGRAM_API_ROOT: fake.apiRoot,
      PUBLIC_URL: publicUrl,
    };
    const web = await startGateway({ ...env, PORT: String(port) }, 'web');
    const worker = await startGateway({ ...env, PORT: String(await freePort()) }, 'worker');
    try {
      const [registered] = fake.calls('setWebhook');
      expect(registered?.params).toMatchObject({
        url: `${publicUrl}/telegram/webhook`,
        secret_token: TEST_SECRET,
        max_connections: 100,
      });

      const update = messageUpdate({
        chatId: GROUP,
        userId: userIdOf(1),
        text: '/propose 小区东门加装雨棚 #public_facilities',
      });
      const response = await fetch(`${publicUrl}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SECRET_HEADER]: TEST_SECRET },
        body: JSON.stringify(update),
      });
      expect(response.status).toBe(200);

      await fake.until((f) => f.messagesIn(GROUP).some((m) => m.text.includes('小区东门加装雨棚')));
      const card = fake.messagesIn(GROUP).find((m) => m.text.includes('小区东门加装雨棚'));
      expect(card?.text).toMatch(/附议/);
      // The card is the group's only message: no digest from before the community existed.
      expect(fake.calls('sendMessage').filter((m) => m.params.chat_id === GROUP)).toHaveLength(1);
      expect(JSON.stringify(card?.replyMarkup)).toContain('callback_data');
    } finally {
      expect(await web.stop()).toBe(0);
      expect(await worker.stop()).toBe(0);
    }
    expect(web.logs()).toContain('"telegram":"webhook"');
    expect(worker.logs()).toContain('yishi worker started');
  });

  it('on SIGTERM lets the push in flight finish before the worker exits', async () => {
    // Every Bot API answer takes 1.5 s, so SIGTERM lands while the card is being sent.
    const slow = await startFakeTelegram({ token: TEST_TOKEN, latencyMs: 1500 });
    const worker = await startGateway(
      {
        DATABASE_URL: db.url,
        REDIS_URL: redis.url,
        YISHI_AUTO_MIGRATE: '0',
        TELEGRAM_BOT_TOKEN: TEST_TOKEN,
        TELEGRAM_API_ROOT: slow.apiRoot,
        PORT: String(await freePort()),
      },
      'worker',
    );
    try {
      const proposed = await propose(c.deps, {
        actor: c.as(2),
        title: '垃圾分类点加装洗手池',
        body: '',
        category: 'waste_sorting',
      });
      expect(proposed.kind).toBe('proposed');
      await slow.until((f) => f.calls('sendMessage').some((m) => m.params.chat_id === GROUP));
      const signalled = Date.now();
      expect(await worker.stop()).toBe(0);
      expect(Date.now() - signalled).toBeGreaterThan(1000);

      const sends = slow.calls('sendMessage').filter((m) => m.params.chat_id === GROUP);
      expect(sends).toHaveLength(1);
      // The job finished: the card's message id was recorded, so later edits go to that message.
      const cards = await db.prisma.cardMessage.findMany({
        where: { platform: 'telegram', chatId: `${GROUP}`, communityId: c.id },
      });
      const sent = sends[0]?.response.result as { message_id: number } | undefined;
      expect(cards.map((card) => card.messageId)).toContain(String(sent?.message_id));
    } finally {
      await worker.stop();
      await slow.close();
    }
  });
});
