/**
 * Slack wants a slash command acknowledged within 3 seconds, whatever the
 * database is doing: the adapter acknowledges before its first query, and
 * the answer follows through `response_url` once the database is free.
 * Here another connection holds the chat bindings table for 5 seconds.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindChat } from '../../../src/app/bind-chat.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { type SlackGateway, slackUserOf, startSlackGateway } from '../../support/slack.ts';

const CHANNEL = 'C0LOCKED';
const LOCK_MS = 5_000;

describe('the 3 s acknowledgement', () => {
  let db: TestDatabase;
  let c: TestCommunity;
  let gw: SlackGateway;
  let holder: pg.Client;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await seedCommunity(db, { households: 3, slackUserOf });
    await bindChat(rosterDeps(db), { communityId: c.id, platform: 'slack', chatId: CHANNEL });
    gw = await startSlackGateway(db, c.deps);
    holder = new pg.Client({ connectionString: db.url });
    await holder.connect();
  });
  afterAll(async () => {
    await holder?.end();
    await gw?.close();
    await db?.drop();
  });

  it('acknowledges a slash command within 3 s while the database is locked for 5 s, and answers after', async () => {
    // Warm the connection pool and Bolt's auth.test, as a running gateway has.
    await gw.command({ channel: CHANNEL, user: slackUserOf(1), text: 'help' });
    await gw.adapter.settled();
    const before = gw.fake.responses().length;

    await holder.query('BEGIN');
    await holder.query('LOCK TABLE "ChatBinding" IN ACCESS EXCLUSIVE MODE');
    const lockedAt = performance.now();
    const released = holder
      .query(`SELECT pg_sleep(${LOCK_MS / 1000})`)
      .then(() => holder.query('COMMIT'))
      .then(() => performance.now());

    const ack = await gw.command({ channel: CHANNEL, user: slackUserOf(1), text: 'status' });
    const ackedAfterMs = performance.now() - lockedAt;
    expect(ack.status).toBe(200);
    expect(ack.body).toBe('');
    expect(ack.ms).toBeLessThan(3_000);
    // Nothing could be answered while the lock was held.
    expect(gw.fake.responses()).toHaveLength(before);

    const releasedAt = await released;
    await gw.fake.until((f) => f.responses().length > before, 10_000);
    const answeredAt = performance.now();
    expect(answeredAt).toBeGreaterThanOrEqual(releasedAt);
    expect(gw.fake.responses()[before]?.body.text).toBe(
      '目前没有进行中的议题或决议。发送 /yishi propose TITLE 发起议题。',
    );
    console.info(
      `[slack ack] acknowledged in ${ack.ms.toFixed(0)} ms (${ackedAfterMs.toFixed(0)} ms after the lock); ` +
        `lock held ${(releasedAt - lockedAt).toFixed(0)} ms; answer ${(answeredAt - lockedAt).toFixed(0)} ms after the lock`,
    );
  });
});
