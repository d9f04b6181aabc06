/**
 * Ballot buttons: a double tap counts once and is told so, privately; forged,
 * stale and malformed button data is refused privately and changes nothing.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindChat } from '../../../src/app/bind-chat.ts';
import { closeVote } from '../../../src/app/deadlines.ts';
import { propose } from '../../../src/app/propose.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import {
  callbackAnswerOf,
  callbackUpdate,
  linkTelegramAccounts,
  startTelegramGateway,
  type TelegramGateway,
  userIdOf,
} from '../../support/telegram.ts';
import { openedVote } from '../../support/voting.ts';

const GROUP_A = -1001000000011;
const GROUP_B = -1001000000022;
const DAY = 24 * 3600 * 1000;

describe('telegram buttons', () => {
  let db: TestDatabase;
  let a: TestCommunity;
  let b: TestCommunity;
  let gw: TelegramGateway;
  let closedNumber: number;
  let openNumber: number;

  beforeAll(async () => {
    db = await createTestDatabase();
    a = await seedCommunity(db, { households: 10 });
    b = await seedCommunity(db, { households: 10 });
    const roster = rosterDeps(db);
    await bindChat(roster, { communityId: a.id, platform: 'telegram', chatId: String(GROUP_A) });
    await bindChat(roster, { communityId: b.id, platform: 'telegram', chatId: String(GROUP_B) });
    await linkTelegramAccounts(db, a, [0, 1, 2, 3, 4, 5, 6]);
    // Resident 5 of B is the same Telegram account as resident 5 of A.
    await linkTelegramAccounts(db, b, [5]);
    closedNumber = await openedVote(a, 7 * DAY);
    openNumber = await openedVote(a, 7 * DAY);
    await closeVote(a.deps, { communityId: a.id, number: closedNumber });
    // B has more proposals than A: #3 exists only there.
    for (let i = 0; i < 3; i++) {
      const made = await propose(b.deps, { actor: b.as(0), title: `B 议题 ${i + 1}` });
      if (made.kind !== 'proposed') throw new Error(made.kind);
    }
    gw = await startTelegramGateway(db, a.deps);
  });
  afterAll(async () => {
    await gw?.close();
    await db?.drop();
  });

  /** The button answers the webhook's responses carried (Telegram shows them to the presser). */
  const answersIn = (responses: readonly { reply: Parameters<typeof callbackAnswerOf>[0] }[]) =>
    responses.map((r) => callbackAnswerOf(r.reply) ?? { text: '(no answer)', alert: false });
  const state = async () => ({
    ballots: await db.prisma.ballot.count(),
    history: await db.prisma.ballotHistory.count(),
    cosigns: await db.prisma.cosign.count(),
    audit: await db.prisma.auditEntry.count(),
    outbox: await db.prisma.outbox.count(),
    points: await db.prisma.pointsEntry.count(),
  });
  const groupMessages = () =>
    gw.fake.calls('sendMessage').filter((c) => Number(c.params.chat_id) < 0);

  it('counts a double tap on For once and tells the second tap it is already recorded', async () => {
    const before = await state();
    const tap = () =>
      callbackUpdate({
        chatId: GROUP_A,
        userId: userIdOf(4),
        messageId: 7,
        data: `v1:v:${openNumber}:f`,
      });
    const [first, second] = [tap(), tap()];
    expect(first.update_id).not.toBe(second.update_id);
    const statuses = await Promise.all([gw.post(first), gw.post(second)]);
    expect(statuses.map((s) => s.status)).toEqual([200, 200]);

    const proposal = await db.prisma.proposal.findFirstOrThrow({
      where: { communityId: a.id, number: openNumber },
    });
    const ballots = await db.prisma.ballot.findMany({ where: { proposalId: proposal.id } });
    expect(ballots).toHaveLength(1);
    expect(ballots[0]?.choice).toBe('for');
    expect((await state()).ballots).toBe(before.ballots + 1);
    expect((await state()).history).toBe(before.history);

    const answers = answersIn(statuses);
    expect(answers.map((x) => x.text).sort()).toEqual(
      [
        `您对 #${openNumber} 的投票已记录：赞成。表决截止前可以改票。`,
        `您已对 #${openNumber} 投过“赞成”，无需重复。如需改票，请在截止前发送 /vote ${openNumber} for|against|abstain。`,
      ].sort(),
    );
    expect(answers.every((x) => !x.alert)).toBe(true);
    // The choice went only to the voter (the callback answer), never to the group.
    expect(groupMessages().some((m) => String(m.params.text).includes('赞成'))).toBe(false);
  });

  it('refuses privately what names another community’s proposal, a closed vote or garbage', async () => {
    const before = await state();
    const bProposal3 = await db.prisma.proposal.findFirstOrThrow({
      where: { communityId: b.id, number: 3 },
    });
    const cases = [
      // #3 exists in B only; the account is linked in B too, but the chat is A's.
      `v1:v:3:f`,
      `v1:c:3`,
      // A's first vote has closed.
      `v1:v:${closedNumber}:a`,
      // Malformed or from another version.
      'v1:v:1:zz',
      `v2:v:${openNumber}:f`,
      'hello',
      `v1:v:${openNumber}:f:extra`,
      `v1:s:${openNumber}:y`,
    ];
    const responses: Awaited<ReturnType<TelegramGateway['post']>>[] = [];
    for (const data of cases) {
      const response = await gw.post(
        callbackUpdate({ chatId: GROUP_A, userId: userIdOf(5), messageId: 3, data }),
      );
      expect(response.status, data).toBe(200);
      responses.push(response);
    }
    // A button pressed by someone not on A's roster.
    responses.push(
      await gw.post(
        callbackUpdate({
          chatId: GROUP_A,
          userId: 999_999,
          messageId: 3,
          data: `v1:v:${openNumber}:f`,
        }),
      ),
    );

    const after = await state();
    expect(after).toEqual({
      ballots: before.ballots,
      history: before.history,
      cosigns: before.cosigns,
      audit: before.audit,
      outbox: before.outbox,
      points: before.points,
    });
    expect(await db.prisma.ballot.count({ where: { proposalId: bProposal3.id } })).toBe(0);
    expect(await db.prisma.cosign.count({ where: { proposalId: bProposal3.id } })).toBe(1);

    const answers = answersIn(responses);
    expect(answers).toHaveLength(cases.length + 1);
    expect(answers.every((x) => x.alert)).toBe(true);
    expect(answers.map((x) => x.text)).toEqual([
      '没有编号为 #3 的议题。发送 /status 查看进行中的议题。',
      '没有编号为 #3 的议题。发送 /status 查看进行中的议题。',
      // The closed vote ended without quorum: its state says so.
      `#${closedNumber} 当前不在表决期（状态：参与人数不足）。发送 /status ${closedNumber} 查看表决时间。`,
      '该按钮无效或已过期，未做任何更改。发送 /status 查看最新卡片。',
      '该按钮无效或已过期，未做任何更改。发送 /status 查看最新卡片。',
      '该按钮无效或已过期，未做任何更改。发送 /status 查看最新卡片。',
      '该按钮无效或已过期，未做任何更改。发送 /status 查看最新卡片。',
      `没有编号为 #${openNumber} 的决议。发送 /status 查看进行中的决议。`,
      expect.stringContaining('/join CODE'),
    ]);
    // Nothing of this reached the group.
    expect(groupMessages()).toHaveLength(0);
  });
});
