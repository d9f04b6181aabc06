/**
 * A channel the bot is not in (removed, or never invited) is recorded as a
 * delivery problem when a push is refused with `not_in_channel`, so pushes
 * to it stop; `member_joined_channel` for the bot (invited back) clears it,
 * tells the committee once in their DMs (however often Slack retries the
 * event), and the next card arrives.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindChat } from '../../../src/app/bind-chat.ts';
import { cosign } from '../../../src/app/cosign.ts';
import { propose } from '../../../src/app/propose.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import {
  SLACK_TOKEN,
  type SlackGateway,
  slackUserOf,
  startSlackGateway,
} from '../../support/slack.ts';
import { type Pipeline, startPipeline } from '../../support/telegram.ts';

const CHANNEL = 'C0REMOVED';
const BOT = 'U0BOT';

describe("the bot's membership of a Slack channel", () => {
  let db: TestDatabase;
  let c: TestCommunity;
  let fake: FakeSlack;
  let gw: SlackGateway;
  let pipeline: Pipeline;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await seedCommunity(db, { households: 5, realClock: true, slackUserOf });
    await bindChat(rosterDeps(db), { communityId: c.id, platform: 'slack', chatId: CHANNEL });
    fake = await startFakeSlack({ token: SLACK_TOKEN, perChannel: false, notInChannel: [CHANNEL] });
    gw = await startSlackGateway(db, c.deps, { fake });
    pipeline = await startPipeline(db, undefined, {
      coalesceMs: 100,
      senders: { slack: gw.adapter.sender },
    });
  });
  afterAll(async () => {
    await pipeline?.close();
    await gw?.close();
    await fake?.close();
    await db?.drop();
  });

  const problems = async () =>
    (
      await db.pool.query<{ reason: string }>(
        `SELECT reason FROM "DeliveryProblem" WHERE platform = 'slack' AND "chatId" = $1`,
        [CHANNEL],
      )
    ).rows.map((r) => r.reason);

  it('records not_in_channel, and clears it when the bot is invited back', async () => {
    const made = await propose(c.deps, { actor: c.as(0), title: '修缮车棚', category: 'other' });
    if (made.kind !== 'proposed') throw new Error(made.kind);
    await fake.until((f) =>
      f.calls('chat.postMessage').some((call) => call.response.error === 'not_in_channel'),
    );
    await pipeline.drained();
    expect(await problems()).toEqual(['not_in_channel']);
    expect(fake.messagesIn(CHANNEL)).toEqual([]);

    fake.invite(CHANNEL);
    const joined = { type: 'member_joined_channel', user: BOT, channel: CHANNEL, team: 'T0TEST' };
    for (const retryNum of [undefined, 1, 2]) {
      const answer = await gw.event({ eventId: 'Ev0JOINED', event: joined, retryNum });
      expect(answer.status).toBe(200);
    }
    // Someone else joining is not the bot coming back.
    await gw.event({ eventId: 'Ev0OTHER', event: { ...joined, user: slackUserOf(4) } });
    await gw.adapter.settled();
    expect(await problems()).toEqual([]);

    // The committee (resident 0) hears of it once, in their DM.
    const dm = fake.dmOf(slackUserOf(0));
    await fake.until((f) => f.messagesIn(dm).length > 0);
    await pipeline.drained();
    expect(fake.messagesIn(dm)).toHaveLength(1);

    // The next card reaches the channel.
    await cosign(c.deps, { actor: c.as(1), number: made.number });
    await fake.until((f) => f.messagesIn(CHANNEL).some((m) => m.text.includes('修缮车棚')));
  });
});
