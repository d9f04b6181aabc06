/**
 * A reply is never lost to a crash (issue 18): a web process SIGKILLed after
 * it claimed a ballot's confirmation and while its send was in flight leaves
 * the reply owed; Telegram's redelivery to a new process sends it once the
 * dead delivery's lease has run out, and the ballot still counts once.
 */
import { once } from 'node:events';
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

const GROUP = -1001000000418;
/** The reply lease of bots/telegram/reply.ts (REPLY_LEASE_MS). */
const LEASE_MS = 60_000;

describe('a reply claimed by a process that dies', () => {
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

  it('is sent by the redelivery to a new process, once', async () => {
    const number = await openedVote(c, 0);
    const voter = userIdOf(3);
    const update = messageUpdate({ chatId: GROUP, userId: voter, text: `/vote ${number} for` });
    const replyKey = `tg-reply-${TEST_TOKEN.split(':')[0]}-${update.update_id}`;
    const env = {
      DATABASE_URL: db.url,
      REDIS_URL: redis.url,
      YISHI_AUTO_MIGRATE: '0',
      TELEGRAM_BOT_TOKEN: TEST_TOKEN,
      TELEGRAM_WEBHOOK_SECRET: TEST_SECRET,
      TELEGRAM_API_ROOT: fake.apiRoot,
      PUBLIC_URL: 'http://127.0.0.1:9',
    };
    const post = (port: number) =>
      fetch(`http://127.0.0.1:${port}/telegram/webhook`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', [SECRET_HEADER]: TEST_SECRET },
        body: JSON.stringify(update),
      });
    const confirmations = () => fake.calls('sendMessage').filter((m) => m.params.chat_id === voter);

    // First delivery: the ballot is stored, the command deleted, and the private confirmation is
    // on its way when the process is killed.
    const firstPort = await freePort();
    const first = await startGateway({ ...env, PORT: String(firstPort) }, 'web');
    fake.holdNext(voter);
    const firstAnswer = post(firstPort).catch((error: unknown) => error);
    await fake.until(() => confirmations().length === 1);
    first.child.kill('SIGKILL');
    await once(first.child, 'exit');
    expect(await firstAnswer).toBeInstanceOf(Error);
    expect(fake.calls('deleteMessage')).toHaveLength(1);
    expect(fake.messagesIn(voter)).toHaveLength(0);
    const claim = await db.prisma.idempotencyRecord.findUniqueOrThrow({ where: { key: replyKey } });
    expect(claim.outcome).toMatchObject({ reply: 'owed' });

    const secondPort = await freePort();
    const second = await startGateway({ ...env, PORT: String(secondPort) }, 'web');
    try {
      // A redelivery within the lease cannot tell a dead sender from a slow one: it fails, and
      // Telegram asks again later.
      expect((await post(secondPort)).status).toBe(500);
      expect(confirmations()).toHaveLength(1);

      // Telegram's later redelivery, past the lease (the claim is aged rather than waited out).
      await db.prisma.$executeRawUnsafe(
        `UPDATE "IdempotencyRecord" SET at = at - make_interval(secs => $2) WHERE key = $1`,
        replyKey,
        LEASE_MS / 1000,
      );
      expect((await post(secondPort)).status).toBe(200);
      expect(fake.messagesIn(voter).map((m) => m.text)).toEqual([
        expect.stringContaining(`#${number}`),
      ]);
      // Settled: a further redelivery sends nothing more, and the ballot counted once.
      expect((await post(secondPort)).status).toBe(200);
      expect(fake.messagesIn(voter)).toHaveLength(1);
      expect(await db.prisma.ballot.count()).toBe(1);
      const settled = await db.prisma.idempotencyRecord.findUniqueOrThrow({
        where: { key: replyKey },
      });
      expect(settled.outcome).toEqual({ reply: 'sent' });
    } finally {
      await second.stop();
    }
  });
});
