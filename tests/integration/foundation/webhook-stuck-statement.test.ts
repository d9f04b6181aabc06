/**
 * A statement stuck past the bound (YISHI_DB_STATEMENT_TIMEOUT_MS) makes the
 * webhook answer 5xx, so Telegram redelivers; the redelivery, once the rows
 * are free, counts the ballot and replies once.
 *
 * Only a stuck statement can reach a webhook: every transaction runs store
 * statements and nothing else (pushes go through the outbox), so none sits
 * idle waiting on the outside. The idle-in-transaction bound is tested on the
 * driver in transaction-timeouts.test.ts.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindChat } from '../../../src/app/bind-chat.ts';
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
import { openedVote } from '../../support/voting.ts';

const GROUP = -1001000000419;
const STATEMENT_MS = 500;

describe('a webhook whose statement is stuck on a locked row', () => {
  let db: TestDatabase;
  let c: TestCommunity;
  let fake: FakeTelegram;
  let redis: Awaited<ReturnType<typeof startRedis>>;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await seedCommunity(db, { households: 4, realClock: true, policy: { noticePeriod: '0s' } });
    await linkTelegramAccounts(db, c, [0, 1, 2, 3]);
    await bindChat(rosterDeps(db), { communityId: c.id, platform: 'telegram', chatId: `${GROUP}` });
    fake = await startFakeTelegram({ token: TEST_TOKEN, limits: false });
    redis = await startRedis();
  });
  afterAll(async () => {
    await fake?.close();
    await redis?.stop();
    await db?.drop();
  });

  it('answers 5xx within the bound, and the redelivery counts the ballot and replies once', async () => {
    const number = await openedVote(c, 0);
    const voter = userIdOf(3);
    const update = messageUpdate({ chatId: GROUP, userId: voter, text: `/vote ${number} for` });
    const port = await freePort();
    const gateway = await startGateway(
      {
        DATABASE_URL: db.url,
        REDIS_URL: redis.url,
        YISHI_AUTO_MIGRATE: '0',
        YISHI_DB_STATEMENT_TIMEOUT_MS: String(STATEMENT_MS),
        YISHI_DB_IDLE_TRANSACTION_TIMEOUT_MS: String(STATEMENT_MS),
        TELEGRAM_BOT_TOKEN: TEST_TOKEN,
        TELEGRAM_WEBHOOK_SECRET: TEST_SECRET,
        TELEGRAM_API_ROOT: fake.apiRoot,
        PUBLIC_URL: 'http://127.0.0.1:9',
        PORT: String(port),
      },
      'web',
    );
    const post = () =>
      fetch(`http://127.0.0.1:${port}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SECRET_HEADER]: TEST_SECRET },
        body: JSON.stringify(update),
      });
    const confirmations = () => fake.calls('sendMessage').filter((m) => m.params.chat_id === voter);
    // A committee member's long edit, say: the proposal row held FOR UPDATE, which a ballot's FOR SHARE waits on.
    const holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
    try {
      await holder.query('BEGIN');
      await holder.query(
        'SELECT id FROM "Proposal" WHERE "communityId" = $1 AND number = $2 FOR UPDATE',
        [c.id, number],
      );

      const started = Date.now();
      const stuck = await post();
      const elapsed = Date.now() - started;
      expect(stuck.status).toBeGreaterThanOrEqual(500);
      expect(elapsed).toBeGreaterThanOrEqual(STATEMENT_MS);
      expect(elapsed).toBeLessThan(STATEMENT_MS + 2_000);
      // Ended by the database's statement_timeout, not by anything else failing (the line may
      // reach the test after the answer: the child's output and the response are two sockets).
      await expect
        .poll(() => gateway.logs(), { timeout: 5_000 })
        .toContain('"code":"database_timeout"');
      expect(await db.prisma.ballot.count()).toBe(0);
      expect(confirmations()).toHaveLength(0);

      await holder.query('ROLLBACK');
      expect((await post()).status).toBe(200);
      expect(await db.prisma.ballot.count()).toBe(1);
      await fake.until(() => confirmations().length === 1);
      // Settled: a further redelivery adds neither a ballot nor a reply.
      expect((await post()).status).toBe(200);
      expect(await db.prisma.ballot.count()).toBe(1);
      expect(confirmations()).toHaveLength(1);
      expect(fake.messagesIn(voter).map((m) => m.text)).toEqual([
        expect.stringContaining(`#${number}`),
      ]);
    } finally {
      await holder.end();
      await gateway.stop();
    }
  });
});
