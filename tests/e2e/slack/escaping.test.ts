/**
 * What a resident types is shown as typed and can never ping, mention or
 * link: Slack's entities are decoded on the way in (the title is stored as
 * typed), and `&`, `<`, `>` are escaped in every mrkdwn text on the way out.
 * The card's heading is a plain-text header block, which Slack never parses.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindChat } from '../../../src/app/bind-chat.ts';
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

const CHANNEL = 'C0ESCAPE';
const TITLE = '<!channel> *x* <@U0OTHER> <http://evil.example|click>';

type Block = { type: string; text?: { type: string; text: string; verbatim?: boolean } };

describe('user text on Slack', () => {
  let db: TestDatabase;
  let c: TestCommunity;
  let fake: FakeSlack;
  let gw: SlackGateway;
  let pipeline: Pipeline;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await seedCommunity(db, { households: 5, slackUserOf });
    await bindChat(rosterDeps(db), { communityId: c.id, platform: 'slack', chatId: CHANNEL });
    fake = await startFakeSlack({ token: SLACK_TOKEN, perChannel: false });
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

  it('shows a title of pings, mentions and links literally', async () => {
    await gw.command({ channel: CHANNEL, user: slackUserOf(1), text: `propose ${TITLE}` });
    await fake.until((f) => f.messagesIn(CHANNEL).length > 0);
    const stored = await db.pool.query<{ title: string }>(
      `SELECT title FROM "Proposal" WHERE "communityId" = $1`,
      [c.id],
    );
    expect(stored.rows.map((r) => r.title)).toEqual([TITLE]);

    const [card] = fake.messagesIn(CHANNEL);
    const escaped = '&lt;!channel&gt; *x* &lt;@U0OTHER&gt; &lt;http://evil.example|click&gt;';
    expect(card?.text.split('\n')[0]).toBe(`议题 #1：${escaped}`);
    const blocks = (card?.blocks ?? []) as Block[];
    // Slack reads <...> as a control sequence only in mrkdwn: none is left unescaped there.
    const mrkdwn = [
      card?.text ?? '',
      ...blocks.filter((b) => b.text?.type === 'mrkdwn').map((b) => b.text?.text ?? ''),
    ];
    for (const text of mrkdwn) {
      expect(text).not.toMatch(/<[!@#]|<https?:/);
      expect(text.replace(/&(amp|lt|gt);/g, '')).not.toMatch(/[<>]/);
    }
    expect(blocks.filter((b) => b.text?.type === 'mrkdwn').every((b) => b.text?.verbatim)).toBe(
      true,
    );
    expect(blocks[0]).toEqual({
      type: 'header',
      text: { type: 'plain_text', text: `议题 #1：${TITLE}`, emoji: false },
    });
  });
});
