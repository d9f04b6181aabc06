/**
 * Slack delivers some things more than once: it retries an event it got no
 * timely answer for (`X-Slack-Retry-Num`), and a client may post the same
 * interaction or slash command again. Each has one effect and one reply:
 * the idempotency key is Slack's own id (event id, the button's action_ts
 * with the presser, the command's trigger_id).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindChat } from '../../../src/app/bind-chat.ts';
import { propose } from '../../../src/app/propose.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import {
  cosignCount,
  dmMessage,
  type SlackGateway,
  slackUserOf,
  startSlackGateway,
} from '../../support/slack.ts';

const CHANNEL = 'C0RETRY';

describe('Slack redeliveries', () => {
  let db: TestDatabase;
  let c: TestCommunity;
  let gw: SlackGateway;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await seedCommunity(db, { households: 10, slackUserOf });
    await bindChat(rosterDeps(db), { communityId: c.id, platform: 'slack', chatId: CHANNEL });
    for (const title of ['一号议题', '二号议题', '三号议题']) {
      const made = await propose(c.deps, { actor: c.as(3), idempotencyKey: title, title });
      expect(made.kind).toBe('proposed');
    }
    gw = await startSlackGateway(db, c.deps);
  });
  afterAll(async () => {
    await gw?.close();
    await db?.drop();
  });

  const cosigns = (number: number) => cosignCount(db, c.id, number);
  const repliesTo = (user: string) => gw.fake.ephemerals().filter((e) => e.user === user);

  it('takes a button payload delivered twice as one press, with one reply', async () => {
    const press = { channel: CHANNEL, user: slackUserOf(4), messageTs: '1.000001' };
    const answers = await Promise.all([
      gw.press({ ...press, value: 'v1:c:1', actionTs: '1700000000.123456' }),
      gw.press({ ...press, value: 'v1:c:1', actionTs: '1700000000.123456' }),
    ]);
    expect(answers.map((a) => a.status)).toEqual([200, 200]);
    await gw.adapter.settled();
    expect(await cosigns(1)).toBe(2);
    expect(repliesTo(slackUserOf(4)).map((e) => e.text)).toEqual(['您已附议 #1：2/3。感谢支持！']);
  });

  it('takes a slash command posted twice with the same trigger_id as one command', async () => {
    const command = { channel: CHANNEL, user: slackUserOf(5), text: 'cosign 2' };
    await gw.command({ ...command, triggerId: 'trigger-twice' });
    await gw.command({ ...command, triggerId: 'trigger-twice' });
    await gw.adapter.settled();
    expect(await cosigns(2)).toBe(2);
    const replies = gw.fake
      .responses()
      .filter((r) => r.id.startsWith(`${CHANNEL}-${slackUserOf(5)}`));
    expect(replies.map((r) => r.body.text)).toEqual(['您已附议 #2：2/3。感谢支持！']);
  });

  it('takes an event retried with X-Slack-Retry-Num 1 and 2 as one, with one reply', async () => {
    const user = slackUserOf(6);
    const dm = gw.fake.dmOf(user);
    const event = dmMessage({ dm, user, text: 'cosign 3', ts: '1700000001.000100' });
    const answers = [
      await gw.event({ eventId: 'Ev0RETRY', event }),
      await gw.event({ eventId: 'Ev0RETRY', event, retryNum: 1 }),
      await gw.event({ eventId: 'Ev0RETRY', event, retryNum: 2 }),
    ];
    expect(answers.map((a) => a.status)).toEqual([200, 200, 200]);
    await gw.adapter.settled();
    expect(await cosigns(3)).toBe(2);
    expect(gw.fake.messagesIn(dm).map((m) => m.text)).toEqual(['您已附议 #3：2/3。感谢支持！']);
  });
});
