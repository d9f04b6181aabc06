/**
 * A vote button pressed in a Slack channel goes through the group commit,
 * whose claim reads the channel's context along (castAhead): the private
 * answer is in the channel's language, a press delivered twice counts once,
 * and a channel bound to no community casts nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindChat } from '../../../src/app/bind-chat.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { chatStore } from '../../../src/store/chat-store.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { type SlackGateway, slackUserOf, startSlackGateway } from '../../support/slack.ts';
import { openedVote } from '../../support/voting.ts';

const ENGLISH = 'C0VOTEEN';
const UNBOUND = 'C0VOTENONE';
const DAY = 24 * 3600 * 1000;

describe('a vote button in a Slack channel', () => {
  let db: TestDatabase;
  let c: TestCommunity;
  let gw: SlackGateway;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await seedCommunity(db, { households: 6, slackUserOf });
    await bindChat(rosterDeps(db), { communityId: c.id, platform: 'slack', chatId: ENGLISH });
    await chatStore(db).setLocale('slack', ENGLISH, 'en');
    gw = await startSlackGateway(db, c.deps);
  });
  afterAll(async () => {
    await gw?.close();
    await db?.drop();
  });

  const ballots = async (number: number) =>
    Number(
      (
        await db.pool.query<{ n: string }>(
          `SELECT count(*) AS n FROM "Ballot" b JOIN "Proposal" p ON p.id = b."proposalId"
           WHERE p."communityId" = $1 AND p.number = $2`,
          [c.id, number],
        )
      ).rows[0]?.n,
    );
  const answersTo = (i: number) =>
    gw.fake
      .ephemerals()
      .filter((e) => e.user === slackUserOf(i))
      .map((e) => e.text);

  it('answers in the channel’s language and counts a press delivered twice once', async () => {
    const number = await openedVote(c, 7 * DAY);
    const press = {
      channel: ENGLISH,
      messageTs: '1700000000.000100',
      value: `v1:v:${number}:f`,
    };
    await Promise.all([
      gw.press({ ...press, user: slackUserOf(1) }),
      gw.press({ ...press, user: slackUserOf(2) }),
      gw.press({ ...press, user: slackUserOf(2), actionTs: '1700000001.000200' }),
      gw.press({ ...press, user: slackUserOf(2), actionTs: '1700000001.000200' }),
    ]);
    await gw.adapter.settled();

    expect(answersTo(1)).toEqual([
      expect.stringMatching(new RegExp(`^Your vote on #${number} is recorded: For\\.`)),
    ]);
    // Household 2 pressed twice, one press delivered twice: two answers, in English, one ballot.
    expect(answersTo(2)).toHaveLength(2);
    expect(answersTo(2)).toEqual(
      expect.arrayContaining([
        expect.stringMatching(new RegExp(`^Your vote on #${number} is recorded: For\\.`)),
        expect.stringMatching(
          new RegExp(`^You already voted For on #${number}; nothing changed\\.`),
        ),
      ]),
    );
    expect(await ballots(number)).toBe(2);
  });

  it('casts nothing in a channel bound to no community, and says so in Chinese', async () => {
    const number = await openedVote(c, 7 * DAY);
    await gw.press({
      channel: UNBOUND,
      user: slackUserOf(3),
      messageTs: '1700000000.000300',
      value: `v1:v:${number}:f`,
    });
    await gw.adapter.settled();

    expect(answersTo(3)).toEqual([expect.stringContaining('本群尚未绑定社区')]);
    expect(await ballots(number)).toBe(0);
  });
});
