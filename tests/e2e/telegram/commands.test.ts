/**
 * Typed commands through the webhook: hostile and over-long titles, private
 * ballot confirmations, /help by role, /lang, /status, /points, /join, and a
 * private chat of an account linked in two communities.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindChat } from '../../../src/app/bind-chat.ts';
import { cosign } from '../../../src/app/cosign.ts';
import { issueJoinCodes } from '../../../src/app/issue-join-codes.ts';
import { propose } from '../../../src/app/propose.ts';
import { renderCardPush } from '../../../src/app/render-push.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { statusReader } from '../../../src/store/status-store.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import {
  linkTelegramAccounts,
  messageUpdate,
  startTelegramGateway,
  type TelegramGateway,
  userIdOf,
} from '../../support/telegram.ts';
import { openedVote } from '../../support/voting.ts';

const GROUP = -1001000000033;
const DAY = 24 * 3600 * 1000;
const HOSTILE = '<b>x</b> & <a href="tg://user?id=1">y</a>';

describe('telegram commands', () => {
  let db: TestDatabase;
  let a: TestCommunity;
  let gw: TelegramGateway;

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await seedCommunity(db, { households: 10 });
    const b = await seedCommunity(db, { households: 8 });
    await bindChat(rosterDeps(db), {
      communityId: a.id,
      platform: 'telegram',
      chatId: String(GROUP),
    });
    await linkTelegramAccounts(db, a, [0, 1, 2, 3, 4, 5, 6]);
    await linkTelegramAccounts(db, b, [6]);
    gw = await startTelegramGateway(db, a.deps);
  });
  afterAll(async () => {
    await gw?.close();
    await db?.drop();
  });

  /** Sends `text` as `userId` in `chatId` (default: the user's private chat) and returns what the bot sent. */
  async function say(userId: number, text: string, chatId = userId) {
    const before = gw.fake.calls('sendMessage').length;
    const response = await gw.post(messageUpdate({ chatId, userId, text }));
    expect(response.status).toBe(200);
    return gw.fake
      .calls('sendMessage')
      .slice(before)
      .map((call) => {
        const stored = gw.fake
          .messagesIn(String(call.params.chat_id))
          .find(
            (m) =>
              m.messageId === Number((call.response.result as { message_id?: number })?.message_id),
          );
        return {
          chatId: Number(call.params.chat_id),
          status: call.status,
          text: stored?.text ?? String(call.params.text),
          links: stored?.links ?? [],
          markup: call.params.reply_markup,
        };
      });
  }

  it('shows a title with markup literally: no tag, no link, no mention', async () => {
    const [reply] = await say(userIdOf(3), `/propose ${HOSTILE}\n细节 <i>斜体</i> #parking`);
    expect(reply?.status).toBe(200);
    expect(reply?.text).toContain(`“${HOSTILE}”已发起`);
    expect(reply?.links).toEqual([]);
    const proposal = await db.prisma.proposal.findFirstOrThrow({
      where: { communityId: a.id, title: HOSTILE },
    });
    expect(proposal.body).toBe('细节 <i>斜体</i>');
    expect(proposal.category).toBe('parking');

    // The card as the push queue renders and sends it (the adapter's sender), and as /status shows it.
    const card = await renderCardPush(
      statusReader(db),
      {
        communityId: a.id,
        number: proposal.number,
        card: 'proposal_card',
        platform: 'telegram',
        chatId: String(GROUP),
      },
      a.clock.now(),
    );
    if (!card) throw new Error('no card');
    const sent = await gw.adapter.sender.send(
      { platform: 'telegram', chatId: String(GROUP) },
      card,
    );
    expect(sent.kind).toBe('sent');
    const shown = gw.fake.messagesIn(GROUP).at(-1);
    expect(shown?.text.split('\n').slice(0, 4)).toEqual([
      `议题 #${proposal.number}：${HOSTILE}`,
      '详情：细节 <i>斜体</i>',
      '类别：停车管理',
      `提议住户：1-103`,
    ]);
    expect(shown?.links).toEqual([]);
    expect(shown?.source).not.toContain('<a');

    const [status] = await say(userIdOf(4), `/status ${proposal.number}`, GROUP);
    expect(status?.text.split('\n')[0]).toBe(`议题 #${proposal.number}：${HOSTILE}`);
    expect(status?.links).toEqual([]);
    expect(status?.markup).toEqual({
      inline_keyboard: [[{ text: '附议', callback_data: `v1:c:${proposal.number}` }]],
    });
  });

  it('refuses an over-long title or body with a clear message and stores nothing', async () => {
    const before = await db.prisma.proposal.count();
    const [title] = await say(userIdOf(3), `/propose ${'长'.repeat(81)}`);
    expect(title?.text).toBe('标题过长（最多 80 字）。请精简标题，把详细说明写在下一行。');
    const [body] = await say(userIdOf(3), `/propose 短标题\n${'x'.repeat(1501)}`);
    expect(body?.text).toBe('详细说明过长（最多 1500 字），请精简后重新发送 /propose。');
    const [empty] = await say(userIdOf(3), '/propose');
    expect(empty?.text).toContain('请填写议题标题');
    expect(await db.prisma.proposal.count()).toBe(before);
  });

  it('confirms a typed ballot privately, and says only “recorded” in the group when it cannot', async () => {
    const number = await openedVote(a, 7 * DAY);
    const toVoter = await say(userIdOf(4), `/vote ${number} against`, GROUP);
    expect(toVoter.map((m) => m.chatId)).toEqual([userIdOf(4)]);
    expect(toVoter[0]?.text).toBe(`您对 #${number} 的投票已记录：反对。表决截止前可以改票。`);
    // The command message showing the choice is deleted where the bot may.
    expect(gw.fake.calls('deleteMessage').at(-1)?.params.chat_id).toBe(GROUP);

    gw.fake.markNotStarted(userIdOf(5));
    const fallback = await say(userIdOf(5), `/vote ${number} for`, GROUP);
    const delivered = fallback.filter((m) => m.status === 200);
    expect(delivered.map((m) => m.chatId)).toEqual([GROUP]);
    expect(delivered[0]?.text).toBe(
      `您对 #${number} 的投票已记录，投票内容不在群内显示。如需私下收到确认，请私聊我并点击“开始”。`,
    );
    expect(delivered[0]?.text).not.toMatch(/赞成|反对|弃权/);
    const ballots = await db.prisma.ballot.findMany({
      where: { proposal: { communityId: a.id, number } },
      orderBy: { castAt: 'asc' },
    });
    expect(ballots.map((b) => b.choice).sort()).toEqual(['against', 'for']);

    const [bad] = await say(userIdOf(4), `/vote ${number} maybe`);
    expect(bad?.text).toBe(
      `请选择 for（赞成）、against（反对）或 abstain（弃权），例如：/vote ${number} for`,
    );
  });

  it('schedules a vote (committee only, never inside the notice period) and withdraws a proposal', async () => {
    const made = await propose(a.deps, { actor: a.as(7), title: '楼道照明' });
    if (made.kind !== 'proposed') throw new Error(made.kind);
    for (const i of [8, 9]) await cosign(a.deps, { actor: a.as(i), number: made.number });
    const n = made.number;
    const [notCommittee] = await say(userIdOf(4), `/schedule ${n} 2026-12-20 19:30`, GROUP);
    expect(notCommittee?.text).toBe(
      '只有居委会成员可以使用 /schedule。请联系居委会成员办理；发送 /help 查看您可用的命令。',
    );
    const [early] = await say(userIdOf(0), `/schedule ${n} 2026-12-10 19:30`, GROUP);
    expect(early?.text).toBe(
      `议题 #${n} 最早只能在 12月15日 周二 10:00 开始表决，需保证完整的公示期。请选择该时间或之后：/schedule ${n} YYYY-MM-DD HH:mm`,
    );
    const [scheduled] = await say(userIdOf(0), `/schedule ${n} 2026-12-20 19:30`, GROUP);
    expect(scheduled?.text).toBe(
      `议题 #${n} 的表决时间已确定：12月20日 周日 19:30 开始，12月23日 周三 19:30 截止，已在议题卡片上公示。`,
    );
    const [noTime] = await say(userIdOf(0), `/schedule ${n} 2026-12-21`, GROUP);
    expect(noTime?.text).toBe(`请同时写上日期和时间：/schedule ${n} YYYY-MM-DD HH:mm`);

    const first = await db.prisma.proposal.findFirstOrThrow({
      where: { communityId: a.id, title: HOSTILE },
    });
    const [notAuthor] = await say(userIdOf(4), `/withdraw ${first.number}`);
    expect(notAuthor?.text).toContain(`只有 #${first.number} 的提议人或居委会可以撤回该议题`);
    const [withdrawn] = await say(userIdOf(3), `/withdraw ${first.number}`);
    expect(withdrawn?.text).toBe(`议题 #${first.number} 已撤回，附议和已安排的表决随之取消。`);
    expect((await db.prisma.proposal.findUniqueOrThrow({ where: { id: first.id } })).state).toBe(
      'withdrawn',
    );
  });

  it('lists in /help only what this person may do', async () => {
    const help = async (index: number) => (await say(userIdOf(index), '/help'))[0]?.text ?? '';
    const commandsIn = (text: string) =>
      text
        .split('\n')
        .filter((l) => l.startsWith('/'))
        .map((l) => l.split(' ')[0]);
    expect(commandsIn(await help(3))).toEqual([
      '/propose',
      '/cosign',
      '/vote',
      '/survey',
      '/withdraw',
      '/status',
      '/points',
      '/lang',
      '/help',
    ]);
    expect(commandsIn(await help(0))).toEqual([
      '/propose',
      '/cosign',
      '/vote',
      '/schedule',
      '/assign',
      '/survey',
      '/withdraw',
      '/status',
      '/points',
      '/lang',
      '/topics',
      '/help',
    ]);
    expect(commandsIn(await help(1))).toContain('/relay');
    expect(commandsIn(await help(2))).toEqual(expect.arrayContaining(['/progress', '/done']));
    const stranger = (await say(888_001, '/help'))[0]?.text ?? '';
    expect(commandsIn(stranger)).toEqual(['/join', '/status', '/lang', '/help']);
    for (const line of stranger.split('\n').filter((l) => l.startsWith('/'))) {
      expect(line.length).toBeGreaterThan(0);
    }
  });

  it('switches a group to English with /lang and back', async () => {
    const [set] = await say(userIdOf(3), '/lang en', GROUP);
    expect(set?.text).toBe('This chat now uses English. Send /lang zh to switch to Chinese.');
    const binding = await db.prisma.chatBinding.findFirstOrThrow({
      where: { chatId: String(GROUP) },
    });
    expect(binding.locale).toBe('en');
    const [help] = await say(userIdOf(3), '/help', GROUP);
    expect(help?.text.split('\n')[0]).toBe('Commands you can use (N is the proposal number):');
    const [bad] = await say(userIdOf(3), '/lang fr', GROUP);
    expect(bad?.text).toBe('This chat can use Chinese or English: send /lang zh or /lang en');
    const [back] = await say(userIdOf(3), '/lang 中文', GROUP);
    expect(back?.text).toBe('本聊天已切换为中文。发送 /lang en 可切换为英文。');
    // A private chat keeps its own choice.
    await say(userIdOf(3), '/lang en');
    const [privateHelp] = await say(userIdOf(3), '/help');
    expect(privateHelp?.text.split('\n')[0]).toBe(
      'Commands you can use (N is the proposal number):',
    );
    await say(userIdOf(3), '/lang zh');
  });

  it('shows the open list, points, and answers unknown commands only when addressed', async () => {
    const [list] = await say(userIdOf(3), '/status', GROUP);
    expect(list?.text.split('\n')[0]).toMatch(/^进行中的议题与决议（\d+）$/);
    // #1 was withdrawn above: the open list no longer shows it.
    expect(list?.text.split('\n').slice(1)).toEqual([
      '议题',
      '#2 加装电梯 · 表决中',
      '#3 楼道照明 · 公示中',
    ]);
    const [points] = await say(userIdOf(0), '/points');
    expect(points?.text.split('\n')[0]).toMatch(/^您的参与积分：[1-9]\d*$/);
    expect(points?.text).toContain('提出议题');
    const [unknown] = await say(userIdOf(3), '/frobnicate');
    expect(unknown?.text).toBe('没有 /frobnicate 这个命令。发送 /help 查看可用命令。');
    expect(await say(userIdOf(3), '/frobnicate', GROUP)).toEqual([]);
    expect(await say(userIdOf(3), '/frobnicate@some_other_bot', GROUP)).toEqual([]);
    const [addressed] = await say(userIdOf(3), '/frobnicate@yishi_test_bot', GROUP);
    expect(addressed?.text).toContain('/frobnicate');
    const [noNumber] = await say(userIdOf(3), '/cosign abc', GROUP);
    expect(noNumber?.text).toBe('请在命令后写上编号，例如：/cosign 12。发送 /status 查看编号。');
  });

  it('asks an account linked in two communities to act from a group, in a private chat', async () => {
    const [reply] = await say(userIdOf(6), '/cosign 1');
    expect(reply?.text).toMatch(/^您的账号绑定了多个社区（.+、.+），私聊时无法确定/);
    // In the group the binding names the community: it works there.
    const [inGroup] = await say(userIdOf(6), '/cosign 1', GROUP);
    expect(inGroup?.text).not.toContain('多个社区');
  });

  it('links an account with /join CODE once', async () => {
    const issued = await issueJoinCodes(rosterDeps(db), { communityId: a.id });
    if (issued.kind !== 'issued') throw new Error(issued.kind);
    const code = issued.codes[8]?.code ?? '';
    const [joined] = await say(888_002, `/join ${code.toLowerCase()}`);
    expect(joined?.text).toMatch(/^欢迎！本聊天账号已绑定到.+ 1号楼 108。/);
    const [again] = await say(888_003, `/join ${code}`);
    expect(again?.text).toContain('该加入码已被使用');
    const [malformed] = await say(888_003, '/join 123');
    expect(malformed?.text).toContain('这不像是加入码');
    const [help] = await say(888_002, '/help');
    expect(help?.text).toContain('/vote');
    // A code typed in the group is deleted where the bot may.
    const deletes = gw.fake.calls('deleteMessage').length;
    await say(888_004, `/join ${issued.codes[9]?.code ?? ''}`, GROUP);
    expect(gw.fake.calls('deleteMessage')).toHaveLength(deletes + 1);
  });
});
