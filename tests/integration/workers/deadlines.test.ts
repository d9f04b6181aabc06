/**
 * Deadlines fire on time from committed state, through the real workers
 * (BullMQ on Redis, PostgreSQL): issue #5, done-when lines 1 and 6.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castVote } from '../../../src/app/cast-vote.ts';
import { cosign } from '../../../src/app/cosign.ts';
import { deadlineJobId } from '../../../src/app/deadline-plan.ts';
import { propose } from '../../../src/app/propose.ts';
import { scheduleVote } from '../../../src/app/schedule-vote.ts';
import { DEADLINE_JOB_OPTIONS } from '../../../workers/deadlines/scheduler.ts';
import { deadlineJob } from '../../../workers/queues.ts';
import { seedCommunity, type TestCommunity } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import {
  auditOf,
  bindChats,
  startTestWorkers,
  type TestWorkers,
  waitFor,
} from '../../support/workers.ts';

const CHATS = [
  { platform: 'telegram', chatId: '-1001234567890' },
  { platform: 'slack', chatId: 'C0DEADLINE' },
] as const;

/** Proposes and co-signs to the threshold; returns the number and the announced opening. */
async function toNotice(c: TestCommunity): Promise<{ number: number; opensAt: Date }> {
  const proposed = await propose(c.deps, { actor: c.as(0), title: '楼道照明改造' });
  if (proposed.kind !== 'proposed') throw new Error(JSON.stringify(proposed));
  let opensAt: string | null = null;
  for (let i = 1; i < proposed.threshold; i++) {
    const signed = await cosign(c.deps, { actor: c.as(i), number: proposed.number });
    if (signed.kind !== 'cosigned') throw new Error(JSON.stringify(signed));
    opensAt = signed.votingOpensAt ?? opensAt;
  }
  if (!opensAt) throw new Error('agenda not reached');
  return { number: proposed.number, opensAt: new Date(opensAt) };
}

describe('deadline workers on real Redis and PostgreSQL', () => {
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

  it('opens and closes a vote within 1 s of each deadline and publishes the result once', async () => {
    const c = await seedCommunity(db, {
      households: 10,
      realClock: true,
      policy: { noticePeriod: '2s', votingWindow: '3s', quietHours: null },
    });
    await bindChats(db, c.id, CHATS);
    const { number, opensAt } = await toNotice(c);

    const [opened] = await waitFor('the vote to open', async () => {
      const rows = await auditOf(db, c.id, 'vote.opened');
      return rows.length > 0 && rows;
    });
    const openLateMs = (opened?.at.getTime() ?? 0) - opensAt.getTime();
    const proposal = await db.prisma.proposal.findFirstOrThrow({
      where: { communityId: c.id, number },
    });
    const closesAt = proposal.votingClosesAt ?? new Date(0);
    expect(closesAt.getTime() - opensAt.getTime()).toBe(3000);

    // 7 of 10 households vote while it is open: quorum 70%, 6 for of 7 passes 2/3.
    for (let i = 0; i < 7; i++) {
      const voted = await castVote(c.deps, {
        actor: c.as(i),
        number,
        choice: i < 6 ? 'for' : 'against',
      });
      expect(voted.kind).toBe('recorded');
    }

    const [closed] = await waitFor('the vote to close', async () => {
      const rows = await auditOf(db, c.id, 'vote.closed');
      return rows.length > 0 && rows;
    });
    const closeLateMs = (closed?.at.getTime() ?? 0) - closesAt.getTime();
    console.info(`vote opened ${openLateMs} ms and closed ${closeLateMs} ms after the deadline`);
    expect(openLateMs).toBeGreaterThanOrEqual(0);
    expect(openLateMs).toBeLessThan(1000);
    expect(closeLateMs).toBeGreaterThanOrEqual(0);
    expect(closeLateMs).toBeLessThan(1000);
    expect(
      await db.prisma.proposal.findFirstOrThrow({ where: { communityId: c.id, number } }),
    ).toMatchObject({ state: 'passed', tallyFor: 6, tallyAgainst: 1, tallyAbstain: 0 });

    // Published exactly once: one outbox row, one card push per bound chat.
    await waitFor('the result to be relayed', async () => {
      const rows = await db.prisma.outbox.findMany({
        where: { communityId: c.id, number, kind: 'result_card' },
      });
      return rows.length > 0 && rows.every((r) => r.relayedAt !== null);
    });
    await workers.relay?.relayOnce();
    await workers.reconciler.runNow();
    expect(
      await db.prisma.outbox.count({ where: { communityId: c.id, number, kind: 'result_card' } }),
    ).toBe(1);
    const results = workers.push
      .cards('result_card')
      .filter((p) => p.request.communityId === c.id)
      .map((p) => `${p.request.platform}/${p.request.chatId}`)
      .sort();
    expect(results).toEqual(['slack/C0DEADLINE', 'telegram/-1001234567890']);
    // The result is a system announcement: it waits out quiet hours, unlike a person's own card.
    expect(workers.push.cards('result_card').every((p) => !p.options.urgent)).toBe(true);
    expect(await auditOf(db, c.id, 'vote.opened')).toHaveLength(1);
    expect(await auditOf(db, c.id, 'vote.closed')).toHaveLength(1);
  });

  it('fires only the new time when the vote opening is moved later', async () => {
    const c = await seedCommunity(db, {
      households: 10,
      realClock: true,
      policy: { noticePeriod: '2s', votingWindow: '2s', quietHours: null },
    });
    const { number, opensAt } = await toNotice(c);
    const proposal = await db.prisma.proposal.findFirstOrThrow({
      where: { communityId: c.id, number },
    });
    const oldJobId = deadlineJobId('vote_open', proposal.id, opensAt);
    await waitFor('the first opening to be scheduled', async () => workers.queue.getJob(oldJobId));

    const movedTo = new Date(opensAt.getTime() + 2500);
    const moved = await scheduleVote(c.deps, {
      actor: c.as(0),
      number,
      opensAt: movedTo.toISOString(),
    });
    expect(moved).toMatchObject({ kind: 'scheduled', votingOpensAt: movedTo.toISOString() });
    const newJobId = deadlineJobId('vote_open', proposal.id, movedTo);
    await waitFor('the new opening to replace the old', async () => {
      const [old, replacement] = await Promise.all([
        workers.queue.getJob(oldJobId),
        workers.queue.getJob(newJobId),
      ]);
      return old === undefined && replacement !== undefined;
    });

    const [opened] = await waitFor('the vote to open', async () => {
      const rows = await auditOf(db, c.id, 'vote.opened');
      return rows.length > 0 && rows;
    });
    const openedAt = opened?.at.getTime() ?? 0;
    console.info(`moved opening fired ${openedAt - movedTo.getTime()} ms after the new time`);
    expect(openedAt).toBeGreaterThanOrEqual(movedTo.getTime());
    expect(openedAt - movedTo.getTime()).toBeLessThan(1000);
    expect(await auditOf(db, c.id, 'vote.opened')).toHaveLength(1);
  });

  it('ignores a stale job left over from an earlier time (a removal that never happened)', async () => {
    const c = await seedCommunity(db, {
      households: 10,
      realClock: true,
      policy: { noticePeriod: '1s', votingWindow: '2s', quietHours: null },
    });
    const { number, opensAt } = await toNotice(c);
    const proposal = await db.prisma.proposal.findFirstOrThrow({
      where: { communityId: c.id, number },
    });
    const movedTo = new Date(opensAt.getTime() + 2000);
    await scheduleVote(c.deps, { actor: c.as(0), number, opensAt: movedTo.toISOString() });
    // A job for the old time, added behind the scheduler's back, fires at the old time.
    const staleAt = new Date(opensAt.getTime() + 200);
    const stale = {
      type: 'vote_open' as const,
      subjectId: proposal.id,
      communityId: c.id,
      number,
      dueAt: staleAt,
      detail: null,
      jobId: deadlineJobId('vote_open', proposal.id, staleAt),
    };
    await workers.queue.add(stale.type, deadlineJob(stale), {
      ...DEADLINE_JOB_OPTIONS,
      jobId: stale.jobId,
      delay: Math.max(0, staleAt.getTime() - Date.now()),
    });
    await waitFor('the stale job to run', async () =>
      (await workers.queue.getJobState(stale.jobId)) === 'completed' ? true : undefined,
    );
    const job = await workers.queue.getJob(stale.jobId);
    expect(job?.returnvalue).toEqual({ kind: 'superseded' });
    expect(await db.prisma.proposal.findFirstOrThrow({ where: { id: proposal.id } })).toMatchObject(
      { state: 'noticed' },
    );
    expect(await auditOf(db, c.id, 'vote.opened')).toHaveLength(0);
  });
});
