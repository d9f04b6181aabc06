/**
 * One community bound to a Telegram group and a Slack channel: the same
 * cards reach both, each in its chat's language, and a household that votes
 * on Telegram and then changes its vote on Slack has one ballot, its latest.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindChat } from '../../../src/app/bind-chat.ts';
import { cosign } from '../../../src/app/cosign.ts';
import { propose } from '../../../src/app/propose.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { type FakeSlack, startFakeSlack } from '../../support/fake-slack.ts';
import { type FakeTelegram, startFakeTelegram } from '../../support/fake-telegram.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import {
  SLACK_TOKEN,
  type SlackGateway,
  slackUserOf,
  startSlackGateway,
} from '../../support/slack.ts';
import {
  callbackUpdate,
  linkTelegramAccounts,
  type Pipeline,
  startPipeline,
  startTelegramGateway,
  TEST_TOKEN,
  type TelegramGateway,
  userIdOf,
} from '../../support/telegram.ts';

const GROUP = -1001000000777;
const CHANNEL = 'C0MIXED';
const VOTER = 3;

describe('a community on Telegram and Slack at once', () => {
  let db: TestDatabase;
  let c: TestCommunity;
  let slack: FakeSlack;
  let telegram: FakeTelegram;
  let sl: SlackGateway;
  let tg: TelegramGateway;
  let pipeline: Pipeline;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await seedCommunity(db, {
      households: 5,
      realClock: true,
      slackUserOf,
      policy: { noticePeriod: '2s', votingWindow: '60s', quietHours: null, reminders: [] },
    });
    await linkTelegramAccounts(db, c, [0, 1, 2, 3, 4]);
    const roster = rosterDeps(db);
    await bindChat(roster, { communityId: c.id, platform: 'telegram', chatId: String(GROUP) });
    await bindChat(roster, { communityId: c.id, platform: 'slack', chatId: CHANNEL });
    slack = await startFakeSlack({ token: SLACK_TOKEN, perChannel: false });
    telegram = await startFakeTelegram({ token: TEST_TOKEN, limits: false });
    sl = await startSlackGateway(db, c.deps, { fake: slack });
    tg = await startTelegramGateway(db, c.deps, { fake: telegram });
    pipeline = await startPipeline(db, tg.adapter.sender, {
      coalesceMs: 200,
      senders: { slack: sl.adapter.sender },
    });
  });
  afterAll(async () => {
    await pipeline?.close();
    await sl?.close();
    await tg?.close();
    await slack?.close();
    await telegram?.close();
    await db?.drop();
  });

  const slackCard = (heading: string, has = '') =>
    slack.messagesIn(CHANNEL).find((m) => m.text.startsWith(heading) && m.text.includes(has));
  const telegramCard = (heading: string, has = '') =>
    telegram.messagesIn(GROUP).find((m) => m.text.startsWith(heading) && m.text.includes(has));

  it('shows the cards in both chats, and counts a household once, its latest ballot', async () => {
    // The Slack channel reads English; the Telegram group keeps the community's Chinese.
    await sl.command({ channel: CHANNEL, user: slackUserOf(0), text: 'lang en' });
    await sl.adapter.settled();

    const made = await propose(c.deps, { actor: c.as(0), title: '加装电梯', category: 'elevator' });
    if (made.kind !== 'proposed') throw new Error(made.kind);
    for (let i = 1; i < made.threshold; i++) {
      await cosign(c.deps, { actor: c.as(i), number: made.number });
    }
    await slack.until(() => slackCard('Vote on proposal #1') !== undefined, 15_000);
    await telegram.until(() => telegramCard('表决：议题 #1') !== undefined, 15_000);
    const slackVote = slackCard('Vote on proposal #1');
    const telegramVote = telegramCard('表决：议题 #1');
    if (!slackVote || !telegramVote) throw new Error('no vote cards');
    expect(slackVote.text).toContain('Turnout so far: 0/5 (0%)');
    expect(telegramVote.text).toContain('当前参与：0/5（0%）');

    // For on Telegram, then against on Slack: the same household.
    const onTelegram = await tg.post(
      callbackUpdate({
        chatId: GROUP,
        userId: userIdOf(VOTER),
        messageId: telegramVote.messageId,
        data: 'v1:v:1:f',
      }),
    );
    expect(onTelegram.status).toBe(200);
    await sl.press({
      channel: CHANNEL,
      user: slackUserOf(VOTER),
      messageTs: slackVote.ts,
      value: 'v1:v:1:a',
    });
    await sl.adapter.settled();
    expect(slack.ephemerals().map((e) => e.text)).toContain(
      // The change is seen as one across platforms.
      'Your vote on #1 is changed to Against. Only your latest vote counts.',
    );

    const ballots = await db.pool.query<{ choice: string }>(
      `SELECT b.choice::text AS choice FROM "Ballot" b JOIN "Proposal" p ON p.id = b."proposalId"
       WHERE p."communityId" = $1`,
      [c.id],
    );
    expect(ballots.rows).toEqual([{ choice: 'against' }]);
    // Both chats show one household voted, never which way.
    await slack.until(() => slackCard('Vote on proposal #1', '1/5') !== undefined, 15_000);
    await telegram.until(() => telegramCard('表决：议题 #1', '1/5') !== undefined, 15_000);
    expect(slackCard('Vote on proposal #1')?.text).not.toMatch(/(For|Against|Abstain) \d/);
  });
});
