import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { castVote } from '../../../src/app/cast-vote.ts';
import { cosign } from '../../../src/app/cosign.ts';
import { closeVote, openVote } from '../../../src/app/deadlines.ts';
import { propose } from '../../../src/app/propose.ts';
import { seedCommunity } from '../../support/community.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';

const until = (iso: string | null) => sleep(Math.max(0, new Date(iso ?? 0).getTime() - Date.now()));

describe('a vote on an accelerated policy, on the real clock', () => {
  let db: TestDatabase;
  beforeAll(async () => {
    db = await createTestDatabase();
  });
  afterAll(() => db.drop());

  it('goes noticed -> voting -> passed with a 2 s notice period and a 3 s window', async () => {
    const c = await seedCommunity(db, {
      households: 10,
      realClock: true,
      policy: { noticePeriod: '2s', votingWindow: '3s' },
    });
    const proposed = await propose(c.deps, {
      actor: c.as(0),
      title: '楼道照明改造',
      category: 'public_facilities',
    });
    if (proposed.kind !== 'proposed') throw new Error(proposed.kind);
    let last = await cosign(c.deps, { actor: c.as(1), number: proposed.number });
    last = await cosign(c.deps, { actor: c.as(2), number: proposed.number });
    if (last.kind !== 'cosigned' || !last.agendaReached) throw new Error(JSON.stringify(last));
    const target = { communityId: c.id, number: proposed.number };

    // Before the notice period ends the vote stays shut.
    expect(await openVote(c.deps, target)).toMatchObject({
      kind: 'unchanged',
      state: 'noticed',
      reason: 'not_yet',
    });
    expect(
      (await castVote(c.deps, { actor: c.as(3), number: proposed.number, choice: 'for' })).kind,
    ).toBe('vote_not_open');

    await until(last.votingOpensAt);
    const opened = await openVote(c.deps, target);
    if (opened.kind !== 'opened') throw new Error(JSON.stringify(opened));
    expect(opened.eligible).toBe(10);
    for (let i = 0; i < 8; i++) {
      await castVote(c.deps, {
        actor: c.as(i),
        number: proposed.number,
        choice: i < 6 ? 'for' : 'against',
      });
    }
    expect(await closeVote(c.deps, target)).toMatchObject({
      kind: 'unchanged',
      state: 'voting',
      reason: 'not_yet',
    });

    await until(opened.votingClosesAt);
    expect(await closeVote(c.deps, target)).toMatchObject({
      kind: 'closed',
      result: 'passed',
      tally: { for: 6, against: 2, abstain: 0 },
      eligible: 10,
    });
    expect(
      (await castVote(c.deps, { actor: c.as(9), number: proposed.number, choice: 'for' })).kind,
    ).toBe('vote_not_open');
    expect(await closeVote(c.deps, target)).toMatchObject({ kind: 'unchanged', state: 'passed' });
  });

  it('fixes the eligible voters when voting opens: later roster changes do not move the denominator', async () => {
    const c = await seedCommunity(db, {
      households: 10,
      realClock: true,
      policy: { noticePeriod: '0s', votingWindow: '1s' },
    });
    const proposed = await propose(c.deps, { actor: c.as(0), title: '物业服务考核' });
    if (proposed.kind !== 'proposed') throw new Error(proposed.kind);
    for (let i = 1; i < proposed.threshold; i++)
      await cosign(c.deps, { actor: c.as(i), number: proposed.number });
    const opened = await openVote(c.deps, { communityId: c.id, number: proposed.number });
    if (opened.kind !== 'opened') throw new Error(JSON.stringify(opened));
    // A new household joins the roster after the vote opened.
    const { importRoster } = await import('../../../src/app/import-roster.ts');
    const { rosterDeps } = await import('../../../src/runtime/roster-deps.ts');
    await importRoster(rosterDeps(db), {
      communityId: c.id,
      records: [{ building: '9', unit: '901', name: '新住户', roles: 'resident' }],
    });
    const newcomer = await db.prisma.resident.findFirstOrThrow({
      where: { communityId: c.id, name: '新住户' },
    });
    expect(
      await castVote(c.deps, {
        actor: { kind: 'resident', residentId: newcomer.id },
        number: proposed.number,
        choice: 'for',
      }),
    ).toMatchObject({
      kind: 'not_eligible',
    });
    for (let i = 0; i < 7; i++)
      await castVote(c.deps, { actor: c.as(i), number: proposed.number, choice: 'for' });
    await until(opened.votingClosesAt);
    expect(await closeVote(c.deps, { communityId: c.id, number: proposed.number })).toMatchObject({
      kind: 'closed',
      result: 'passed',
      eligible: 10,
    });
  });
});
