/**
 * The whole participation journey in one Slack channel, through signed
 * requests to `POST /slack/events`, the real workers and push queue, against
 * the fake Slack: join with codes → `/yishi propose` (and the form) →
 * co-sign by button and by command → the vote opens after a 2 s notice → 7
 * of 10 households vote by buttons, a representative relays 1 paper ballot
 * and that household then votes itself → close → result card → assign →
 * progress → done → survey. Every card the fake recorded is checked, and
 * every ballot confirmation was ephemeral.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindChat } from '../../../src/app/bind-chat.ts';
import { issueJoinCodes } from '../../../src/app/issue-join-codes.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { type FakeSlack, type SlackMessage, startFakeSlack } from '../../support/fake-slack.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import {
  SLACK_TOKEN,
  type SlackGateway,
  slackUserOf,
  startSlackGateway,
} from '../../support/slack.ts';
import { type Pipeline, startPipeline } from '../../support/telegram.ts';

const CHANNEL = 'C0JOURNEY';
const user = slackUserOf;

type Block = {
  type: string;
  text?: { text: string };
  elements?: { text: { text: string }; value: string }[];
};

describe('the participation journey in a Slack channel', () => {
  let db: TestDatabase;
  let c: TestCommunity;
  let fake: FakeSlack;
  let gw: SlackGateway;
  let pipeline: Pipeline;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await seedCommunity(db, {
      households: 10,
      realClock: true,
      policy: { noticePeriod: '2s', votingWindow: '6s', quietHours: null, reminders: [] },
    });
    await bindChat(rosterDeps(db), { communityId: c.id, platform: 'slack', chatId: CHANNEL });
    // Limits off: this test is about content; the push queue's pacing has tests of its own.
    fake = await startFakeSlack({ token: SLACK_TOKEN, perChannel: false });
    gw = await startSlackGateway(db, c.deps, { fake });
    pipeline = await startPipeline(db, undefined, {
      coalesceMs: 300,
      senders: { slack: gw.adapter.sender },
    });
  });
  afterAll(async () => {
    await pipeline?.close();
    await gw?.close();
    await fake?.close();
    await db?.drop();
  });

  /** `/yishi text` from household i, acknowledged at once. */
  async function yishi(i: number, text: string, triggerId?: string) {
    const answer = await gw.command({ channel: CHANNEL, user: user(i), text, triggerId });
    expect(answer.status).toBe(200);
    expect(answer.body).toBe('');
  }
  async function press(i: number, card: SlackMessage, value: string) {
    const answer = await gw.press({ channel: CHANNEL, user: user(i), messageTs: card.ts, value });
    expect(answer.status).toBe(200);
  }
  const ephemeralTo = (i: number) =>
    fake
      .ephemerals()
      .filter((e) => e.user === user(i))
      .map((e) => e.text);
  /** The i-th ephemeral answer to household `who`, once it arrived. */
  async function privately(who: number, count: number) {
    await fake.until(() => ephemeralTo(who).length >= count, 10_000);
    return ephemeralTo(who)[count - 1] ?? '';
  }
  const channelTexts = () => fake.messagesIn(CHANNEL).map((m) => m.text);
  async function card(heading: string, check: (m: SlackMessage) => boolean = () => true) {
    const find = () =>
      fake
        .messagesIn(CHANNEL)
        .find((m) => (m.text.split('\n')[0] ?? '').startsWith(heading) && check(m));
    await fake
      .until(() => find() !== undefined, 15_000)
      .catch((error: unknown) => {
        throw new Error(`no card "${heading}" in: ${JSON.stringify(channelTexts())}`, {
          cause: error,
        });
      });
    const found = find();
    if (!found) throw new Error(`no card ${heading}`);
    return found;
  }
  const blocks = (m: SlackMessage) => (m.blocks ?? []) as Block[];
  const buttons = (m: SlackMessage) =>
    blocks(m)
      .filter((b) => b.type === 'actions')
      .map((b) => (b.elements ?? []).map((e) => `${e.text.text}=${e.value}`));
  const header = (m: SlackMessage) => blocks(m).find((b) => b.type === 'header')?.text?.text;

  it('runs from joining to the survey, with every card as expected', async () => {
    // 1. Everyone joins with the code from their slip, in the channel: answered to them only.
    const issued = await issueJoinCodes(rosterDeps(db), { communityId: c.id });
    if (issued.kind !== 'issued') throw new Error(issued.kind);
    await Promise.all(issued.codes.map((code, i) => yishi(i, `join ${code.code}`)));
    for (let i = 0; i < 10; i++) {
      expect(await privately(i, 1)).toMatch(
        new RegExp(`^欢迎！本聊天账号已绑定到.+ 1号楼 10${i}。`),
      );
    }
    for (const code of issued.codes) {
      for (const text of channelTexts()) expect(text).not.toContain(code.code);
    }

    // 2. A resident proposes in the channel; the card (not a reply) is the answer.
    await yishi(3, 'propose 3号楼加装电梯 #elevator\n老人多，上下楼难。');
    let proposal = await card('议题 #1：');
    expect(proposal.text.split('\n')).toEqual([
      '议题 #1：3号楼加装电梯',
      '详情：老人多，上下楼难。',
      '类别：加装电梯',
      '提议住户：1-103',
      '状态：征集附议中',
      '附议 1/3',
      '▓▓▓░░░░░░░',
      '还差 2 个附议',
      expect.stringMatching(/^附议截止：\d+月\d+日 周. \d\d:\d\d$/),
      '点击“附议”按钮或发送 /yishi cosign 1 即可附议。',
    ]);
    expect(header(proposal)).toBe('议题 #1：3号楼加装电梯');
    expect(buttons(proposal)).toEqual([['附议=v1:c:1']]);

    // The form: /yishi propose without a title opens it; an empty title is refused in it.
    await yishi(6, 'propose', 'trigger-form');
    await fake.until((f) => f.calls('views.open').length === 1);
    const opened = fake.calls('views.open')[0]?.params;
    expect(opened?.trigger_id).toBe('trigger-form');
    const view = opened?.view as { title: { text: string }; callback_id: string };
    expect(view.title.text).toBe('发起议题');
    const refused = await gw.submit({ user: user(6), viewId: 'V1', view, values: { title: ' ' } });
    expect(refused.status).toBe(200);
    expect(JSON.parse(refused.body)).toEqual({
      response_action: 'errors',
      errors: { title: '请填写标题：用一句话说明您的提议。' },
    });
    const submitted = await gw.submit({
      user: user(6),
      viewId: 'V1',
      view,
      values: { title: '楼道加装声控灯', body: '晚上太暗。', category: 'public_facilities' },
    });
    expect(submitted.status).toBe(200);
    expect(submitted.body).toBe('');
    const second = await card('议题 #2：');
    expect(second.text).toContain('详情：晚上太暗。');
    expect(second.text).toContain('类别：公共设施改造');
    expect(second.text).toContain('提议住户：1-106');

    // 3. A neighbour co-signs with the button (answered to them only), another by command.
    await press(4, proposal, 'v1:c:1');
    expect(await privately(4, 2)).toBe('您已附议 #1：2/3。感谢支持！');
    await yishi(5, 'cosign 1');
    await fake.until(() => channelTexts().some((t) => t.startsWith('您已附议 #1，附议已达标')));
    proposal = await card('议题 #1：', (m) => m.text.includes('状态：公示中'));
    expect(proposal.text).toContain('附议 3/3');
    expect(proposal.text).toMatch(/公示中，\d+月\d+日 周. \d\d:\d\d 开始表决/);
    expect(buttons(proposal)).toEqual([]);

    // 4. After the 2 s notice the workers open the vote and post its card.
    const vote = await card('表决：议题 #1 ');
    expect(vote.text.split('\n')).toEqual([
      '表决：议题 #1 3号楼加装电梯',
      '当前参与：0/10（0%）',
      '░░░░░░░░░░',
      '参与达到 7/10 方为有效。',
      expect.stringMatching(/^表决截止：\d+月\d+日 周. \d\d:\d\d$/),
      expect.stringContaining('/yishi vote 1 for|against|abstain'),
      '使用纸质选票的居民，可由楼栋议事代表代录。',
    ]);
    expect(buttons(vote)).toEqual([['赞成=v1:v:1:f', '反对=v1:v:1:a', '弃权=v1:v:1:x']]);

    // 5. Seven vote by button; the representative relays 107's paper ballot, then 107 votes itself.
    const choices = ['f', 'f', 'f', 'a', 'f', 'x', 'f'] as const;
    await Promise.all(choices.map((choice, i) => press(i, vote, `v1:v:1:${choice}`)));
    await yishi(1, 'relay 1 107 against 纸票-007');
    await fake.until(() => ephemeralTo(1).some((t) => t.startsWith('已代录 107 户')));
    expect(ephemeralTo(1).at(-1)).toBe(
      '已代录 107 户对 #1 的纸质选票 纸票-007：反对。该户如在群内自行投票，将以其本人投票为准。',
    );
    await press(7, vote, 'v1:v:1:f');
    for (let i = 0; i < 8; i++) {
      await fake.until(() => ephemeralTo(i).some((t) => t.startsWith('您对 #1 的投票已记录：')));
    }
    // Every ballot confirmation was ephemeral; nobody's choice reached the channel.
    const confirmations = fake.ephemerals().filter((e) => e.text.includes('#1 的投票已记录'));
    expect(confirmations).toHaveLength(8);
    expect(new Set(confirmations.map((e) => e.via))).toEqual(new Set(['response_url']));
    const inChannel = fake.responses().filter((r) => r.body.response_type === 'in_channel');
    for (const r of inChannel) expect(String(r.body.text)).not.toMatch(/投票已记录|代录/);
    const duringVote = await card('表决：议题 #1 ', (m) => m.text.includes('当前参与：8/10'));
    expect(duringVote.text).not.toMatch(/赞成 \d|反对 \d/);
    for (const text of channelTexts()) expect(text).not.toContain('纸票-007：反对');

    // 6. The vote closes by itself: 107's own ballot counted, not the paper one.
    const result = await card('表决结果：议题 #1 ');
    expect(result.text.split('\n')).toEqual([
      '表决结果：议题 #1 3号楼加装电梯',
      '✅ 已通过',
      '赞成 6 · 反对 1 · 弃权 1',
      '参与 8/10（80%），有效需 7。',
      '▓▓▓▓▓▓▓▓░░',
      '下一步：由居委会确定牵头单位、配合单位和完成时限（/yishi assign 1 lead=NAME due=YYYY-MM-DD）。',
    ]);
    const closedVote = await card('表决：议题 #1 ', (m) => !m.text.includes('/yishi vote 1'));
    expect(buttons(closedVote)).toEqual([]);

    // 7. The committee assigns it; the lead unit reports progress and then completion.
    await yishi(0, 'assign 1 lead=物业 due=2027-03-31 coop=业委会');
    await fake.until(() => channelTexts().some((t) => t.startsWith('决议 #1 已交办')));
    let resolution = await card('决议 #1：');
    expect(resolution.text.split('\n')).toEqual([
      '决议 #1：3号楼加装电梯',
      '牵头单位：物业',
      '配合单位：业委会',
      '完成时限：3月31日 周三 23:59',
      '状态：已交办',
      '执行进度：0%',
      '░░░░░░░░░░',
    ]);
    await yishi(2, 'progress 1 50% 已完成方案设计和招标');
    resolution = await card('决议 #1：', (m) => m.text.includes('执行进度：50%'));
    expect(resolution.text).toContain('状态：执行中');
    expect(resolution.text).toContain('最新进展：已完成方案设计和招标');
    await yishi(2, 'done 1 电梯已投入使用');

    // 8. The survey card asks everyone; answers come by button, each told privately.
    const survey = await card('决议 #1：', (m) => buttons(m).length > 0);
    expect(survey.text).toContain('状态：已完成，满意度测评中');
    expect(survey.text).toContain('执行进度：100%');
    expect(buttons(survey)).toEqual([['满意=v1:s:1:y', '不满意=v1:s:1:n']]);
    await Promise.all([
      press(3, survey, 'v1:s:1:y'),
      press(4, survey, 'v1:s:1:y'),
      press(5, survey, 'v1:s:1:n'),
    ]);
    for (const i of [3, 4, 5]) {
      await fake.until(() => ephemeralTo(i).some((t) => t.includes('测评已记录')));
    }
    expect(await db.prisma.surveyAnswer.count()).toBe(3);

    // Cards were edited in place, not re-posted; no Web API call failed.
    await pipeline.drained();
    const headings = channelTexts().map((t) => t.split('\n')[0]);
    expect(headings.filter((h) => h?.startsWith('议题 #1：'))).toHaveLength(1);
    expect(headings.filter((h) => h?.startsWith('表决：议题 #1'))).toHaveLength(1);
    expect(headings.filter((h) => h?.startsWith('表决结果：议题 #1'))).toHaveLength(1);
    expect(fake.calls().filter((call) => call.status !== 200)).toEqual([]);
  });
});
