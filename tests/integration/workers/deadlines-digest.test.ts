/**
 * The weekly digest: at the policy's local weekday and time (default Monday
 * 09:00 in the community's timezone) every bound chat gets one digest
 * listing every open resolution with lead unit, due date, progress and
 * escalation level; the next week's is scheduled. The workers run on a clock
 * set 5 s before the next Monday 09:00 (an injected clock, not fake timers).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { assignResolution } from '../../../src/app/assign-resolution.ts';
import { deadlineJobId } from '../../../src/app/deadline-plan.ts';
import { renderNotice } from '../../../src/app/notices.ts';
import { propose } from '../../../src/app/propose.ts';
import { reportProgress } from '../../../src/app/report-progress.ts';
import { DEFAULT_POLICY } from '../../../src/domain/policy.ts';
import { nextLocalWeekdayTime } from '../../../src/domain/quiet-hours.ts';
import { t } from '../../../src/i18n/translate.ts';
import { noticeReader, scheduleReader } from '../../../src/store/schedule-store.ts';
import type { NoticePush } from '../../../workers/push/push-request.ts';
import { seedCommunity } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import {
  auditOf,
  bindChats,
  startTestWorkers,
  type TestWorkers,
  waitFor,
} from '../../support/workers.ts';

/** The job ids of the digests PostgreSQL says are still to send. */
async function plannedDigests(db: TestDatabase, workers: TestWorkers, communityId: string) {
  const community = await scheduleReader(db).community(communityId);
  if (!community) throw new Error(`no community ${communityId}`);
  return (await workers.scheduler.digestPlanFor(community)).map((d) => d.jobId);
}

describe('the weekly digest', () => {
  let db: TestDatabase;
  let workers: TestWorkers | undefined;

  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(async () => {
    await workers?.close();
    await db.drop();
  });

  it('goes to every bound chat once at Monday 09:00 local time, listing open resolutions', async () => {
    const digestAt = nextLocalWeekdayTime(
      new Date(Date.now() + 60_000),
      DEFAULT_POLICY.digest.weekday,
      DEFAULT_POLICY.digest.minuteOfDay,
      'Asia/Shanghai',
    );
    const offsetMs = digestAt.getTime() - 5000 - Date.now();
    const clock = { now: () => new Date(Date.now() + offsetMs) };
    const c = await seedCommunity(db, { households: 10, policy: { quietHours: null } });
    const deps = { ...c.deps, clock };
    await bindChats(db, c.id, [
      { platform: 'telegram', chatId: '-100555' },
      { platform: 'slack', chatId: 'C0DIGEST' },
    ]);
    const proposed = await propose(deps, { actor: c.as(0), title: '加装电梯' });
    const passedOne = await propose(deps, { actor: c.as(1), title: '小区绿化微更新' });
    if (proposed.kind !== 'proposed' || passedOne.kind !== 'proposed') throw new Error('propose');
    await db.prisma.proposal.update({
      where: { communityId_number: { communityId: c.id, number: passedOne.number } },
      data: {
        state: 'passed',
        closedAt: clock.now(),
        tallyFor: 8,
        tallyAgainst: 0,
        tallyAbstain: 0,
      },
    });
    // Due just before the digest: overdue, at escalation level 1, when the digest goes out.
    const due = new Date(digestAt.getTime() - 1000);
    const assigned = await assignResolution(deps, {
      actor: c.as(0),
      number: passedOne.number,
      lead: '物业',
      due: due.toISOString(),
    });
    expect(assigned).toMatchObject({ kind: 'assigned' });
    await reportProgress(deps, {
      actor: c.as(2),
      number: passedOne.number,
      percent: 40,
      note: '已完成选苗',
    });

    workers = await startTestWorkers(db, { clock });
    const digestJob = deadlineJobId('digest', c.id, digestAt);
    const isDigest = (r: { kind: string }): r is NoticePush =>
      r.kind === 'notice' && (r as NoticePush).notice === 'digest';
    const sent = await waitFor('the digest', () => {
      const pushes = workers?.push.pushes.map((p) => p.request).filter(isDigest) ?? [];
      return pushes.length >= 2 && pushes;
    });
    expect(sent.map((p) => `${p.platform}/${p.chatId}`).sort()).toEqual([
      'slack/C0DIGEST',
      'telegram/-100555',
    ]);
    expect(sent.every((p) => p.key.startsWith(digestJob))).toBe(true);
    const recorded = await waitFor('the digest to be recorded', async () => {
      const rows = await auditOf(db, c.id, 'digest.sent');
      return rows.length > 0 && rows;
    });
    const lateMs = (recorded[0]?.at.getTime() ?? 0) - digestAt.getTime();
    expect(lateMs).toBeGreaterThanOrEqual(0);
    expect(lateMs).toBeLessThan(1000);

    // Next week's digest is planned: PostgreSQL has it; Redis not before it is within the
    // horizon (48 h). This week's does not come back.
    const nextWeek = deadlineJobId('digest', c.id, new Date(digestAt.getTime() + 7 * 86_400_000));
    expect(await plannedDigests(db, workers, c.id)).toEqual([nextWeek]);
    await workers.reconciler.runNow();
    expect(await workers.queue.getJob(nextWeek)).toBeUndefined();
    expect(workers.push.pushes.map((p) => p.request).filter(isDigest)).toHaveLength(2);
    expect(await auditOf(db, c.id, 'digest.sent')).toHaveLength(1);

    const reader = noticeReader(db);
    const telegram = sent.find((p) => p.platform === 'telegram') as NoticePush;
    const zh = await renderNotice(reader, telegram, clock.now());
    const zhText = zh?.lines.map((l) => t(zh.locale, l.key, l.params)).join('\n') ?? '';
    expect(zhText).toMatch(/议事与执行进度周报/);
    expect(zhText).toMatch(
      /小区绿化微更新 · 牵头：物业 · 时限 .* · 进度 40% · 执行中 · 已逾期 · 🔺 一级：约谈负责人/,
    );
    expect(zhText).toMatch(/征集附议中（1）/);
    await db.prisma.chatBinding.update({
      where: { platform_chatId: { platform: 'slack', chatId: 'C0DIGEST' } },
      data: { locale: 'en' },
    });
    const slack = sent.find((p) => p.platform === 'slack') as NoticePush;
    const en = await renderNotice(reader, slack, clock.now());
    const enText = en?.lines.map((l) => t(en.locale, l.key, l.params)).join('\n') ?? '';
    expect(enText).toMatch(/Weekly digest/);
    expect(enText).toMatch(/小区绿化微更新 · 物业 · due .* · 40% · In progress · overdue/);
  });

  it('on Monday 09:05 goes only where the community and the chat were there at 09:00', async () => {
    await workers?.close();
    // Monday 2026-11-30 09:05 in Shanghai (01:05 UTC), five minutes after the digest's time.
    const digestAt = new Date('2026-11-30T01:00:00.000Z');
    const offsetMs = digestAt.getTime() + 5 * 60_000 - Date.now();
    const clock = { now: () => new Date(Date.now() + offsetMs) };
    const policy = { quietHours: null };
    const sunday = await seedCommunity(db, { households: 3, policy });
    const monday = await seedCommunity(db, { households: 3, policy });
    await db.prisma.community.update({
      where: { id: sunday.id },
      data: { createdAt: new Date('2026-11-29T07:00:00.000Z') },
    });
    await db.prisma.community.update({
      where: { id: monday.id },
      data: { createdAt: new Date('2026-11-30T01:02:00.000Z') },
    });
    const boundAt = { before: '2026-11-29T08:00:00.000Z', after: '2026-11-30T01:03:00.000Z' };
    const chats = [
      { communityId: sunday.id, chatId: '-100901', at: boundAt.before },
      { communityId: sunday.id, chatId: '-100902', at: boundAt.after },
      { communityId: monday.id, chatId: '-100903', at: boundAt.after },
    ];
    for (const chat of chats) {
      await bindChats(db, chat.communityId, [{ platform: 'telegram', chatId: chat.chatId }]);
      await db.prisma.chatBinding.update({
        where: { platform_chatId: { platform: 'telegram', chatId: chat.chatId } },
        data: { createdAt: new Date(chat.at) },
      });
    }

    workers = await startTestWorkers(db, { clock });
    // The Sunday community's digest was missed by five minutes: still sent, but only to the
    // chat bound before 09:00.
    await waitFor('the missed digest', async () => auditOf(db, sunday.id, 'digest.sent'));
    await workers.reconciler.runNow();
    const digests = workers.push.pushes
      .map((p) => p.request)
      .filter((r): r is NoticePush => r.kind === 'notice' && r.notice === 'digest');
    expect(digests.map((p) => p.chatId)).toEqual(['-100901']);
    expect(digests[0]?.key.startsWith(deadlineJobId('digest', sunday.id, digestAt))).toBe(true);

    // The community created at 09:02 gets its first digest next Monday, not this one.
    const nextWeek = new Date('2026-12-07T01:00:00.000Z');
    expect(
      await workers.queue.getJob(deadlineJobId('digest', monday.id, digestAt)),
    ).toBeUndefined();
    expect(await plannedDigests(db, workers, monday.id)).toEqual([
      deadlineJobId('digest', monday.id, nextWeek),
    ]);
    expect(await auditOf(db, monday.id, 'digest.sent')).toHaveLength(0);
  });
});
