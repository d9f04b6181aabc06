/**
 * The whole participation journey in one Telegram group, through the real
 * webhook, workers and push queue, against the fake Bot API: join with codes
 * → propose → co-sign to threshold → the vote opens after a 2 s notice → 7 of
 * 10 households vote by buttons and a representative relays 1 paper ballot →
 * close → result card → assign → progress → done → survey. Every card the
 * fake recorded is checked for its content.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindChat } from '../../../src/app/bind-chat.ts';
import { issueJoinCodes } from '../../../src/app/issue-join-codes.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import {
  type FakeTelegram,
  type StoredMessage,
  startFakeTelegram,
} from '../../support/fake-telegram.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import {
  callbackAnswerOf,
  callbackUpdate,
  messageUpdate,
  type Pipeline,
  startPipeline,
  startTelegramGateway,
  TEST_TOKEN,
  type TelegramGateway,
} from '../../support/telegram.ts';

const GROUP = -1001000000099;
/** Telegram user id of the person of household i (roster order). */
const user = (i: number) => 810_000 + i;

describe('the participation journey in a Telegram group', () => {
  let db: TestDatabase;
  let c: TestCommunity;
  let fake: FakeTelegram;
  let gw: TelegramGateway;
  let pipeline: Pipeline;

  beforeAll(async () => {
    db = await createTestDatabase();
    c = await seedCommunity(db, {
      households: 10,
      realClock: true,
      policy: { noticePeriod: '2s', votingWindow: '6s', quietHours: null, reminders: [] },
    });
    await bindChat(rosterDeps(db), {
      communityId: c.id,
      platform: 'telegram',
      chatId: String(GROUP),
    });
    // Limits off: this test is about content; the push queue's pacing has tests of its own.
    fake = await startFakeTelegram({ token: TEST_TOKEN, limits: false });
    gw = await startTelegramGateway(db, c.deps, { fake });
    pipeline = await startPipeline(db, gw.adapter.sender, { coalesceMs: 300 });
  });
  afterAll(async () => {
    await pipeline?.close();
    await gw?.close();
    await fake?.close();
    await db?.drop();
  });

  /** The button answers, as the webhook's responses carried them, in the order they came. */
  const bodyAnswers: string[] = [];
  async function post(update: object) {
    const response = await gw.post(update);
    expect(response.status).toBe(200);
    const answer = callbackAnswerOf(response.reply);
    if (answer) bodyAnswers.push(answer.text);
  }
  const say = (i: number, text: string, chatId = user(i)) =>
    post(messageUpdate({ chatId, userId: user(i), text }));
  const press = (i: number, card: StoredMessage, data: string) =>
    post(callbackUpdate({ chatId: GROUP, userId: user(i), messageId: card.messageId, data }));
  const privateTo = (i: number) => fake.messagesIn(user(i)).map((m) => m.text);
  /** The group message whose first line starts with `heading` (and passes `check`), once it exists. */
  async function card(heading: string, check: (m: StoredMessage) => boolean = () => true) {
    const find = () =>
      fake
        .messagesIn(GROUP)
        .find((m) => (m.text.split('\n')[0] ?? '').startsWith(heading) && check(m));
    await fake
      .until(() => find() !== undefined, 15_000)
      .catch((error: unknown) => {
        throw new Error(
          `no card "${heading}" in: ${JSON.stringify(fake.messagesIn(GROUP).map((m) => m.text))}`,
          { cause: error },
        );
      });
    const found = find();
    if (!found) throw new Error(`no card ${heading}`);
    return found;
  }
  const buttons = (m: StoredMessage) =>
    ((m.replyMarkup?.inline_keyboard ?? []) as { text: string; callback_data: string }[][]).map(
      (row) => row.map((b) => `${b.text}=${b.callback_data}`),
    );
  const answers = () => bodyAnswers;

  it('runs from joining to the survey, with every card as expected', async () => {
    // 1. Everyone joins with the code from their slip, in a private chat.
    const issued = await issueJoinCodes(rosterDeps(db), { communityId: c.id });
    if (issued.kind !== 'issued') throw new Error(issued.kind);
    expect(issued.codes).toHaveLength(10);
    await Promise.all(issued.codes.map((code, i) => say(i, `/join ${code.code}`)));
    for (let i = 0; i < 10; i++) {
      expect(privateTo(i)).toEqual([
        expect.stringMatching(new RegExp(`^欢迎！本聊天账号已绑定到.+ 1号楼 10${i}。`)),
      ]);
    }

    // 2. A resident proposes in the group; the card (not a reply) is the answer.
    await say(3, '/propose 3号楼加装电梯 #elevator\n老人多，上下楼难。', GROUP);
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
      '点击“附议”按钮或发送 /cosign 1 即可附议。',
    ]);
    expect(buttons(proposal)).toEqual([['附议=v1:c:1']]);

    // 3. Two neighbours co-sign with the button: the threshold is reached, the notice starts.
    await press(4, proposal, 'v1:c:1');
    await press(5, proposal, 'v1:c:1');
    expect(answers().slice(-2)).toEqual([
      '您已附议 #1：2/3。感谢支持！',
      expect.stringMatching(/^您已附议 #1，附议已达标（3\/3），列入议题并进入公示，.+开始表决。$/),
    ]);
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
      expect.stringContaining('/vote 1 for|against|abstain'),
      '使用纸质选票的居民，可由楼栋议事代表代录。',
    ]);
    expect(buttons(vote)).toEqual([['赞成=v1:v:1:f', '反对=v1:v:1:a', '弃权=v1:v:1:x']]);
    // The proposal card no longer announces the vote: it has begun.
    proposal = await card('议题 #1：', (m) => m.text.includes('状态：表决中'));
    expect(proposal.text).not.toContain('开始表决');

    // 5. Seven households vote with the buttons; the representative relays one paper ballot.
    const choices = ['f', 'f', 'f', 'a', 'f', 'x', 'f'] as const;
    await Promise.all(choices.map((choice, i) => press(i, vote, `v1:v:1:${choice}`)));
    await say(1, '/relay 1 107 for 纸票-007', GROUP);
    expect(privateTo(1).at(-1)).toBe(
      '已代录 107 户对 #1 的纸质选票 纸票-007：赞成。该户如在群内自行投票，将以其本人投票为准。',
    );
    const voteAnswers = answers().slice(-7);
    expect(voteAnswers.filter((a) => a.startsWith('您对 #1 的投票已记录：'))).toHaveLength(7);
    // Nobody's choice reached the group: only turnout is shown there while voting.
    const duringVote = await card('表决：议题 #1 ', (m) => m.text.includes('当前参与：8/10'));
    expect(duringVote.text).toContain('当前参与：8/10（80%）');
    expect(duringVote.text).not.toMatch(/赞成 \d|反对 \d/);
    for (const m of fake.messagesIn(GROUP)) expect(m.text).not.toContain('纸票-007：赞成');

    // 6. The vote closes by itself; the result card follows and the vote card loses its buttons.
    const result = await card('表决结果：议题 #1 ');
    expect(result.text.split('\n')).toEqual([
      '表决结果：议题 #1 3号楼加装电梯',
      '✅ 已通过',
      '赞成 6 · 反对 1 · 弃权 1',
      '参与 8/10（80%），有效需 7。',
      '▓▓▓▓▓▓▓▓░░',
      '下一步：由居委会确定牵头单位、配合单位和完成时限（/assign 1 lead=NAME due=YYYY-MM-DD）。',
    ]);
    const closedVote = await card('表决：议题 #1 ', (m) => !m.text.includes('/vote 1'));
    expect(buttons(closedVote)).toEqual([]);
    expect(closedVote.text).toContain('当前参与：8/10（80%）');

    // 7. The committee assigns it; the lead unit reports progress and then completion.
    await say(0, '/assign 1 lead=物业 due=2027-03-31 coop=业委会', GROUP);
    expect(fake.messagesIn(GROUP).at(-1)?.text ?? '').toMatch(
      /^决议 #1 已交办：牵头单位 物业，配合单位 业委会，完成时限 3月31日 周三 23:59。/,
    );
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
    await say(2, '/progress 1 50% 已完成方案设计和招标', GROUP);
    resolution = await card('决议 #1：', (m) => m.text.includes('执行进度：50%'));
    expect(resolution.text).toContain('状态：执行中');
    expect(resolution.text).toContain('最新进展：已完成方案设计和招标');
    expect(resolution.text).toContain('▓▓▓▓▓░░░░░');
    await say(2, '/done 1 电梯已投入使用', GROUP);

    // 8. The survey card asks everyone; answers come by button.
    const survey = await card('决议 #1：', (m) => buttons(m).length > 0);
    expect(survey.text).toContain('状态：已完成，满意度测评中');
    expect(survey.text).toContain('最新进展：电梯已投入使用');
    expect(survey.text).toContain('执行进度：100%');
    expect(buttons(survey)).toEqual([['满意=v1:s:1:y', '不满意=v1:s:1:n']]);
    await Promise.all([
      press(3, survey, 'v1:s:1:y'),
      press(4, survey, 'v1:s:1:y'),
      press(5, survey, 'v1:s:1:n'),
    ]);
    const surveyAnswers = answers().slice(-3);
    expect(
      surveyAnswers.filter((a) => a.startsWith('感谢参与！您对决议 #1 的测评已记录（满意）')),
    ).toHaveLength(2);
    expect(
      surveyAnswers.filter((a) => a.startsWith('感谢参与！您对决议 #1 的测评已记录（不满意）')),
    ).toHaveLength(1);
    const answered = await db.prisma.surveyAnswer.count();
    expect(answered).toBe(3);

    // Every group message is a card or a short reply; cards were edited in place, not re-posted.
    await pipeline.drained();
    const headings = fake.messagesIn(GROUP).map((m) => m.text.split('\n')[0]);
    expect(headings.filter((h) => h?.startsWith('议题 #1：'))).toHaveLength(1);
    expect(headings.filter((h) => h?.startsWith('表决：议题 #1'))).toHaveLength(1);
    expect(headings.filter((h) => h?.startsWith('表决结果：议题 #1'))).toHaveLength(1);
    // No Bot API call failed, apart from edits that changed nothing (two pushes of a card in
    // the same state) and deleting a command message the bot may not delete.
    const failed = fake
      .calls()
      .filter((call) => call.status !== 200 && call.method !== 'deleteMessage')
      .filter((call) => !String(call.response.description).includes('message is not modified'));
    expect(failed).toEqual([]);
  });
});
