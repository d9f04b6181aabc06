/**
 * `POST /slack/events` takes only what Slack signed, recently: unsigned,
 * wrongly signed, and correctly signed but 6-minute-old (or 6-minute-ahead)
 * requests are answered 401, and nothing is stored or posted; Slack's
 * `url_verification` and `ssl_check` are answered.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindChat } from '../../../src/app/bind-chat.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { type SlackGateway, signedHeaders, startSlackGateway, TEAM } from '../../support/slack.ts';

const CHANNEL = 'C0SIGNED';
const USER = 'U0SIGNER';

describe('Slack request signatures', () => {
  let db: TestDatabase;
  let c: TestCommunity;
  let gw: SlackGateway;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await seedCommunity(db, { households: 3 });
    await bindChat(rosterDeps(db), { communityId: c.id, platform: 'slack', chatId: CHANNEL });
    gw = await startSlackGateway(db, c.deps);
  });
  afterAll(async () => {
    await gw?.close();
    await db?.drop();
  });

  const commandBody = (text: string) =>
    new URLSearchParams({
      team_id: TEAM,
      channel_id: CHANNEL,
      user_id: USER,
      command: '/yishi',
      text,
      trigger_id: `t-${text}`,
      response_url: gw.fake.responseUrl(`${CHANNEL}-${USER}-x`),
    }).toString();
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const stored = async () =>
    (await db.pool.query<{ n: string }>(`SELECT count(*) AS n FROM "IdempotencyRecord"`)).rows[0]
      ?.n;

  it('refuses unsigned, wrongly signed and stale requests with 401, storing and posting nothing', async () => {
    const before = await stored();
    const body = commandBody('lang en');
    const now = Math.floor(Date.now() / 1000);
    const answers = [
      await gw.raw(body, form),
      await gw.raw(body, { ...form, ...signedHeaders(body, now, 'another-secret') }),
      await gw.raw(body, { ...form, ...signedHeaders(`${body}&x=1`, now) }),
      await gw.raw(body, { ...form, ...signedHeaders(body, now - 6 * 60) }),
      await gw.raw(body, { ...form, ...signedHeaders(body, now + 6 * 60) }),
    ];
    expect(answers.map((a) => a.status)).toEqual([401, 401, 401, 401, 401]);
    // Give a wrongly accepted request time to act before looking.
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await stored()).toBe(before);
    expect(gw.fake.calls().filter((call) => call.method !== 'auth.test')).toEqual([]);
    expect(gw.fake.responses()).toEqual([]);
    const binding = await db.pool.query<{ locale: string | null }>(
      `SELECT locale FROM "ChatBinding" WHERE "chatId" = $1`,
      [CHANNEL],
    );
    expect(binding.rows[0]?.locale ?? null).toBeNull();

    // The same request signed now is taken: the check is the signature, not the route.
    const taken = await gw.raw(body, { ...form, ...signedHeaders(body) });
    expect(taken.status).toBe(200);
    await gw.fake.until((f) => f.responses().length === 1);
    expect(gw.fake.responses()[0]?.body.text).toBe(
      'This chat now uses English. Send /yishi lang zh to switch to Chinese.',
    );
  });

  it("answers Slack's url_verification and ssl_check", async () => {
    const challenge = JSON.stringify({ type: 'url_verification', challenge: 'c-123', token: 'x' });
    const verified = await gw.raw(challenge, {
      'content-type': 'application/json',
      ...signedHeaders(challenge),
    });
    expect(verified.status).toBe(200);
    expect(verified.body).toContain('c-123');
    const ssl = new URLSearchParams({ ssl_check: '1', token: 'x' }).toString();
    const checked = await gw.raw(ssl, { ...form, ...signedHeaders(ssl) });
    expect(checked.status).toBe(200);
  });
});
