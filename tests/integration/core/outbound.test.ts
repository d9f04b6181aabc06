import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignResolution } from '../../../src/app/assign-resolution.ts';
import { bindChat } from '../../../src/app/bind-chat.ts';
import { castVote } from '../../../src/app/cast-vote.ts';
import { completeResolution } from '../../../src/app/complete-resolution.ts';
import { cosign } from '../../../src/app/cosign.ts';
import { closeVote, openVote } from '../../../src/app/deadlines.ts';
import { cardText, deliveriesFor } from '../../../src/app/outbound.ts';
import type { Publication } from '../../../src/app/ports/delivery.ts';
import { propose } from '../../../src/app/propose.ts';
import { reportProgress } from '../../../src/app/report-progress.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { statusReader } from '../../../src/store/status-store.ts';
import { seedCommunity } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';

const DAY = 24 * 3600 * 1000;

describe('what the bound chats are sent', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('cards follow a proposal from co-signing to the survey, in each chat’s language', async () => {
    const c = await seedCommunity(db, { households: 10 });
    const roster = rosterDeps(db);
    await bindChat(roster, {
      communityId: c.id,
      platform: 'telegram',
      chatId: '-1001',
      building: '1',
    });
    await bindChat(roster, { communityId: c.id, platform: 'slack', chatId: 'C0ENGLISH' });
    await db.prisma.chatBinding.update({
      where: { platform_chatId: { platform: 'slack', chatId: 'C0ENGLISH' } },
      data: { locale: 'en' },
    });
    const reader = statusReader(db);
    const send = async (p: Publication) => {
      const deliveries = await deliveriesFor(reader, p, c.clock.now());
      expect(deliveries.map((d) => [d.platform, d.chatId, d.locale])).toEqual([
        ['telegram', '-1001', 'zh-CN'],
        ['slack', 'C0ENGLISH', 'en'],
      ]);
      const [zh, en] = deliveries;
      if (!zh || !en) throw new Error('two deliveries expected');
      return { zh: cardText(zh.card, 'zh-CN'), en: cardText(en.card, 'en'), card: en.card };
    };

    const proposed = await propose(c.deps, {
      actor: c.as(3),
      title: '加装电梯',
      category: 'elevator',
    });
    if (proposed.kind !== 'proposed') throw new Error(proposed.kind);
    const first = await send(proposed.publish[0] as Publication);
    expect(first.zh).toContain('加装电梯');
    expect(first.zh).toContain('1/3');
    expect(first.en).toContain('Co-signs 1/3');
    expect(first.card.buttons).toEqual([{ kind: 'cosign', number: 1 }]);
    expect(first.card.progress).toEqual({ value: 1, total: 3 });

    await cosign(c.deps, { actor: c.as(4), number: 1 });
    await cosign(c.deps, { actor: c.as(5), number: 1 });
    c.clock.advance(7 * DAY);
    const opened = await openVote(c.deps, { communityId: c.id, number: 1 });
    if (opened.kind !== 'opened') throw new Error(opened.kind);
    await castVote(c.deps, { actor: c.as(0), number: 1, choice: 'for' });
    await castVote(c.deps, { actor: c.as(1), number: 1, choice: 'against' });
    const vote = await send(opened.publish[0] as Publication);
    expect(vote.en).toContain('Turnout so far: 2/10');
    // No running split while the vote is open.
    expect(vote.en).not.toMatch(/Against \d|For \d/);
    expect(vote.card.buttons.map((b) => (b.kind === 'vote' ? b.choice : b.kind))).toEqual([
      'for',
      'against',
      'abstain',
    ]);

    for (let i = 2; i < 8; i++)
      await castVote(c.deps, { actor: c.as(i), number: 1, choice: 'for' });
    c.clock.advance(3 * DAY);
    const closed = await closeVote(c.deps, { communityId: c.id, number: 1 });
    if (closed.kind !== 'closed') throw new Error(closed.kind);
    const result = await send(closed.publish[0] as Publication);
    expect(result.en).toContain('For 7 · Against 1 · Abstain 0');
    expect(result.en).toContain('Passed');
    expect(result.zh).toContain('已通过');

    const assigned = await assignResolution(c.deps, {
      actor: c.as(0),
      number: 1,
      lead: '物业',
      due: '2027-03-31',
      coop: ['业委会'],
    });
    if (assigned.kind !== 'assigned') throw new Error(assigned.kind);
    await reportProgress(c.deps, {
      actor: c.as(2),
      number: 1,
      percent: 40,
      note: '已完成方案设计',
    });
    const resolution = await send(assigned.publish[0] as Publication);
    expect(resolution.en).toContain('Lead unit: 物业');
    expect(resolution.en).toContain('Progress: 40%');
    expect(resolution.zh).toContain('已完成方案设计');

    const done = await completeResolution(c.deps, {
      actor: c.as(2),
      number: 1,
      note: '电梯已投入使用',
    });
    if (done.kind !== 'completed') throw new Error(done.kind);
    const survey = await send(done.publish[0] as Publication);
    expect(survey.card.buttons).toEqual([
      { kind: 'survey', number: 1, answer: 'yes' },
      { kind: 'survey', number: 1, answer: 'no' },
    ]);
  });
});
