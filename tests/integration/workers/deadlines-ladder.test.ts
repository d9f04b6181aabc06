/**
 * Reminders and the escalation ladder, through the real workers: each level
 * reaches the people of that level in their private chats, once, at its
 * offset past the due time; finishing the work stops the ladder (issue #5,
 * done-when line 2). Vote reminders show turnout to the group and go
 * privately to households that have not voted.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignResolution } from '../../../src/app/assign-resolution.ts';
import { castVote } from '../../../src/app/cast-vote.ts';
import { completeResolution } from '../../../src/app/complete-resolution.ts';
import { cosign } from '../../../src/app/cosign.ts';
import { importRoster } from '../../../src/app/import-roster.ts';
import { type NoticeRequest, renderNotice } from '../../../src/app/notices.ts';
import { propose } from '../../../src/app/propose.ts';
import { t } from '../../../src/i18n/translate.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { noticeReader } from '../../../src/store/schedule-store.ts';
import type { NoticePush } from '../../../workers/push/push-request.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import {
  auditOf,
  bindChats,
  startTestWorkers,
  type TestWorkers,
  waitFor,
} from '../../support/workers.ts';

const GROUP = '-100424242';
/** Private chats (Telegram: the user id) of the people the ladder reaches. */
const COMMITTEE = '5000';
const EXECUTOR = '5002';
const SUPERVISOR = '5100';
const STREET_OFFICE = '5200';

/** Links chat accounts to the seeded committee member and executor, and adds the other offices. */
async function linkOffices(db: TestDatabase, c: TestCommunity): Promise<void> {
  const imported = await importRoster(rosterDeps(db), {
    communityId: c.id,
    records: [
      {
        building: '1',
        unit: '100',
        name: '居民0-0',
        roles: 'resident;committee',
        telegram_user_id: COMMITTEE,
      },
      {
        building: '1',
        unit: '102',
        name: '居民2-0',
        roles: 'resident;executor:物业',
        telegram_user_id: EXECUTOR,
      },
      {
        building: '1',
        unit: '100',
        name: '监督员',
        roles: 'resident;supervisor',
        telegram_user_id: SUPERVISOR,
      },
      {
        building: '1',
        unit: '101',
        name: '街道办王主任',
        roles: 'street_office',
        telegram_user_id: STREET_OFFICE,
      },
    ],
  });
  if (imported.kind !== 'imported') throw new Error(JSON.stringify(imported));
}

/** A passed proposal (set directly: the vote itself is tested elsewhere). */
async function passed(db: TestDatabase, c: TestCommunity, title: string): Promise<number> {
  const proposed = await propose(c.deps, { actor: c.as(0), title });
  if (proposed.kind !== 'proposed') throw new Error(proposed.kind);
  await db.prisma.proposal.update({
    where: { communityId_number: { communityId: c.id, number: proposed.number } },
    data: { state: 'passed', closedAt: new Date(), tallyFor: 8, tallyAgainst: 0, tallyAbstain: 0 },
  });
  return proposed.number;
}

const noticesFor = (workers: TestWorkers, communityId: string, number: number) =>
  workers.push.pushes
    .map((p) => p.request)
    .filter(
      (r): r is NoticePush =>
        r.kind === 'notice' && r.communityId === communityId && r.number === number,
    );

const chatsOf = (pushes: NoticePush[], notice: NoticePush['notice'], detail?: number) =>
  pushes
    .filter((p) => p.notice === notice && (detail === undefined || p.detail === detail))
    .map((p) => p.chatId)
    .sort();

describe('reminders and the escalation ladder', () => {
  let db: TestDatabase;
  let workers: TestWorkers;

  beforeAll(async () => {
    db = await createTestDatabase();
    workers = await startTestWorkers(db);
  });
  afterAll(async () => {
    await workers.close();
    await db.drop();
  });

  it('climbs levels 1, 2, 3 at 0 s, 2 s, 4 s past due to the right people, and stops when done', async () => {
    const c = await seedCommunity(db, {
      households: 10,
      realClock: true,
      policy: {
        reminders: ['1s'],
        escalation: ['0s', '2s', '4s'],
        surveyWindow: '6s',
        quietHours: null,
      },
    });
    await linkOffices(db, c);
    await bindChats(db, c.id, [{ platform: 'telegram', chatId: GROUP }]);
    const climbing = await passed(db, c, '小区路灯维修');
    const stopping = await passed(db, c, '垃圾分类亭改造');
    const due = new Date(Date.now() + 2000);
    for (const number of [climbing, stopping]) {
      const assigned = await assignResolution(c.deps, {
        actor: c.as(0),
        number,
        lead: '物业',
        due: due.toISOString(),
      });
      expect(assigned.kind).toBe('assigned');
    }

    // Level 1 of the second resolution, then its work is done.
    await waitFor('level 1 of the second resolution', () =>
      noticesFor(workers, c.id, stopping).some((p) => p.notice === 'escalation' && p.detail === 1),
    );
    const done = await completeResolution(c.deps, {
      actor: c.as(2),
      number: stopping,
      note: '已完成改造',
    });
    expect(done.kind).toBe('completed');

    // Level 3 of the first resolution, and the survey of the second closing after it.
    await waitFor('level 3 of the first resolution', () =>
      noticesFor(workers, c.id, climbing).some((p) => p.notice === 'escalation' && p.detail === 3),
    );
    await waitFor('the survey of the second resolution to close', async () => {
      const r = await db.prisma.resolution.findFirst({
        where: { communityId: c.id, state: 'evaluated' },
      });
      return r ?? undefined;
    });

    const first = noticesFor(workers, c.id, climbing);
    expect(chatsOf(first, 'due_reminder')).toEqual([EXECUTOR, GROUP].sort());
    expect(chatsOf(first, 'escalation', 1)).toEqual([COMMITTEE, EXECUTOR].sort());
    expect(chatsOf(first, 'escalation', 2)).toEqual([SUPERVISOR]);
    expect(chatsOf(first, 'escalation', 3)).toEqual([STREET_OFFICE]);
    // Each push is a notice of its own (deduplicated per chat by its key).
    expect(new Set(first.map((p) => p.key)).size).toBe(first.length);
    expect(first.every((p) => p.key.length <= 160)).toBe(true);

    const second = noticesFor(workers, c.id, stopping);
    expect(chatsOf(second, 'escalation', 1)).toEqual([COMMITTEE, EXECUTOR].sort());
    expect(chatsOf(second, 'escalation', 2)).toEqual([]);
    expect(chatsOf(second, 'escalation', 3)).toEqual([]);

    // Levels are recorded once each, at their offsets, and the resolution carries its level.
    const escalated = await auditOf(db, c.id, 'resolution.escalated');
    const byLevel = (subject: string) =>
      escalated
        .filter((e) => e.subject === subject)
        .map((e) => ({ level: (e.payload as { level: number }).level, at: e.at.getTime() }));
    const climbingRow = await db.prisma.resolution.findFirstOrThrow({
      where: { proposal: { communityId: c.id, number: climbing } },
    });
    const stoppingRow = await db.prisma.resolution.findFirstOrThrow({
      where: { proposal: { communityId: c.id, number: stopping } },
    });
    const levels = byLevel(`resolution:${climbingRow.id}`);
    expect(levels.map((l) => l.level)).toEqual([1, 2, 3]);
    const lateness = levels.map((l, i) => l.at - due.getTime() - i * 2000);
    console.info(`ladder levels 1, 2, 3 fired ${lateness.join(', ')} ms after their offsets`);
    for (const late of lateness) {
      expect(late).toBeGreaterThanOrEqual(0);
      expect(late).toBeLessThan(1000);
    }
    expect(climbingRow.escalationLevel).toBe(3);
    expect(byLevel(`resolution:${stoppingRow.id}`).map((l) => l.level)).toEqual([1]);
    expect(stoppingRow.escalationLevel).toBe(1);
    expect(stoppingRow.state).toBe('evaluated');
    // Each level republished the resolution card (the badge), as an announcement.
    expect(
      await db.prisma.outbox.count({
        where: { communityId: c.id, number: climbing, kind: 'resolution_card', announcement: true },
      }),
    ).toBe(3);

    // What the street office reads, rendered as the push worker will.
    const reader = noticeReader(db);
    const level3 = first.find((p) => p.detail === 3) as NoticeRequest;
    const text = await renderNotice(reader, level3, new Date());
    expect(text?.lines.map((l) => t(text.locale, l.key, l.params)).join('\n')).toMatch(
      /三级：提请街道办介入督办物业/,
    );
    // Once done, the ladder's notices no longer apply.
    const stale = second.find((p) => p.detail === 1) as NoticeRequest;
    expect(await renderNotice(reader, stale, new Date())).toBeNull();
  });

  it('reminds the group with turnout and, privately, only households that have not voted', async () => {
    const c = await seedCommunity(db, {
      households: 10,
      realClock: true,
      policy: { noticePeriod: '0s', votingWindow: '3s', reminders: ['2s'], quietHours: null },
    });
    await linkOffices(db, c);
    await bindChats(db, c.id, [{ platform: 'telegram', chatId: GROUP }]);
    const proposed = await propose(c.deps, { actor: c.as(0), title: '增设电动车充电桩' });
    if (proposed.kind !== 'proposed') throw new Error(proposed.kind);
    for (let i = 1; i < proposed.threshold; i++) {
      await cosign(c.deps, { actor: c.as(i), number: proposed.number });
    }
    const where = { communityId: c.id, number: proposed.number };
    await waitFor('the vote to open', async () =>
      (await db.prisma.proposal.findFirstOrThrow({ where })).state === 'voting' ? true : undefined,
    );
    // Household 1-100 (committee member and supervisor) votes; 1-101 and 1-102 do not.
    expect(
      (await castVote(c.deps, { actor: c.as(0), number: proposed.number, choice: 'for' })).kind,
    ).toBe('recorded');
    const reminded = await waitFor('the vote reminder', async () => {
      const rows = await auditOf(db, c.id, 'vote.reminded');
      return rows.length > 0 && rows;
    });
    const pushes = noticesFor(workers, c.id, proposed.number);
    expect(chatsOf(pushes, 'vote_reminder')).toEqual([GROUP]);
    expect(chatsOf(pushes, 'vote_reminder_private')).toEqual([EXECUTOR, STREET_OFFICE].sort());
    expect(reminded).toHaveLength(1);
    // The record holds counts, never who was reminded.
    expect(reminded[0]?.payload).toMatchObject({ groupChats: 1, privateChats: 2 });

    const reader = noticeReader(db);
    const group = pushes.find((p) => p.notice === 'vote_reminder') as NoticeRequest;
    const groupText = await renderNotice(reader, group, new Date());
    const rendered = groupText?.lines.map((l) => t(groupText.locale, l.key, l.params)).join('\n');
    expect(rendered).toMatch(/当前参与 1\/10/);
    expect(rendered).not.toMatch(/居民/);
    // A household that votes after the reminder was queued gets nothing.
    const executorPush = pushes.find((p) => p.chatId === EXECUTOR) as NoticeRequest;
    expect(await renderNotice(reader, executorPush, new Date())).not.toBeNull();
    await castVote(c.deps, { actor: c.as(2), number: proposed.number, choice: 'against' });
    expect(await renderNotice(reader, executorPush, new Date())).toBeNull();
  });
});
