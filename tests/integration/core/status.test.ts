import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createCommunity } from '../../../src/app/create-community.ts';
import { pointsOf } from '../../../src/app/points.ts';
import type { ProposalStatusView } from '../../../src/app/status.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import type { Prisma } from '../../../src/store/generated/prisma/client.ts';
import { statusReader } from '../../../src/store/status-store.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';
import { runCli } from '../../support/processes.ts';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

describe('yishi status', () => {
  let db: TestDatabase;
  let communityId: string;
  // The CLI reads the real clock: every time is seeded relative to now.
  const now = new Date();
  const at = (ms: number) => new Date(now.getTime() + ms);
  const ids = new Map<number, string>();

  // The database is migrated already; auto-migration would delay each CLI exit.
  const cli = (args: string[]) => runCli(args, { ...db.env, YISHI_AUTO_MIGRATE: '0' });
  const status = async (...args: string[]) => {
    const run = await cli(['status', '--community', communityId, ...args]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    return run.stdout;
  };

  async function proposal(
    number: number,
    data: Partial<Omit<Prisma.ProposalUncheckedCreateInput, 'id' | 'communityId' | 'number'>>,
  ): Promise<string> {
    const id = randomUUID();
    ids.set(number, id);
    await db.prisma.proposal.create({
      data: {
        id,
        communityId,
        number,
        title: `议题 ${number}`,
        body: '',
        category: 'parking',
        authorId: randomUUID(),
        state: 'collecting',
        createdAt: at(-20 * DAY),
        cosignDeadline: at(-6 * DAY),
        cosignThreshold: 3,
        cosignCount: 3,
        ...data,
      },
    });
    return id;
  }

  async function resolution(
    number: number,
    data: Omit<Prisma.ResolutionUncheckedCreateInput, 'id' | 'proposalId' | 'communityId'>,
  ) {
    const proposalId = ids.get(number);
    if (!proposalId) throw new Error(`no proposal ${number}`);
    await db.prisma.resolution.create({
      data: { id: randomUUID(), proposalId, communityId, ...data },
    });
  }

  beforeAll(async () => {
    db = await createTestDatabase();
    const created = await createCommunity(rosterDeps(db), { name: '状态社区' });
    if (created.kind !== 'created') throw new Error(created.errors.join('; '));
    communityId = created.id;
    const lead = randomUUID();
    await db.prisma.executingUnit.create({ data: { id: lead, communityId, name: '物业' } });

    // #1: voting, 5 of 10 eligible voters have cast a ballot.
    const voting = await proposal(1, {
      title: '加装电梯',
      category: 'elevator',
      state: 'voting',
      agendaAt: at(-8 * DAY),
      votingOpensAt: at(-1 * DAY),
      votingClosesAt: at(2 * DAY),
      eligibleCount: 10,
    });
    const choices = ['for', 'for', 'for', 'against', 'abstain'] as const;
    await db.prisma.ballot.createMany({
      data: choices.map((choice, i) => ({
        proposalId: voting,
        voterKey: `household-${i}`,
        choice,
        channel: 'chat',
        castBy: `resident-${i}`,
        castAt: at(-HOUR),
      })),
    });
    // #2: still collecting co-signs.
    await proposal(2, { state: 'collecting', cosignCount: 2, cosignDeadline: at(5 * DAY) });
    // #3: passed, its resolution 4 days past due (escalation level 2 by the default ladder).
    await proposal(3, {
      state: 'passed',
      eligibleCount: 10,
      closedAt: at(-30 * DAY),
      tallyFor: 7,
      tallyAgainst: 1,
      tallyAbstain: 0,
    });
    await resolution(3, {
      leadUnitId: lead,
      coopUnits: ['居委会', '城管'],
      dueAt: at(-4 * DAY),
      state: 'in_progress',
      progress: 40,
      latestNote: '已完成设计',
      escalationLevel: 1,
      assignedAt: at(-29 * DAY),
    });
    // #4 rejected, #6 expired: final, not open.
    await proposal(4, { state: 'rejected', tallyFor: 2, tallyAgainst: 6, tallyAbstain: 0 });
    await proposal(6, { state: 'expired' });
    // #5: passed with an evaluated resolution: not open.
    await proposal(5, { state: 'passed', tallyFor: 8, tallyAgainst: 0, tallyAbstain: 0 });
    await resolution(5, {
      leadUnitId: lead,
      dueAt: at(-10 * DAY),
      state: 'evaluated',
      progress: 100,
      assignedAt: at(-20 * DAY),
      evaluatedAt: at(-DAY),
    });
    // #7: vote scheduled.
    await proposal(7, {
      state: 'noticed',
      agendaAt: at(-DAY),
      votingOpensAt: at(6 * DAY),
      votingClosesAt: at(9 * DAY),
    });
    // #8: passed, its resolution done after the due time: not overdue, the reached level kept.
    await proposal(8, { state: 'passed', tallyFor: 9, tallyAgainst: 0, tallyAbstain: 1 });
    await resolution(8, {
      leadUnitId: lead,
      dueAt: at(-2 * DAY),
      state: 'done',
      progress: 100,
      escalationLevel: 1,
      assignedAt: at(-20 * DAY),
      doneAt: at(-DAY),
    });
  });
  afterAll(() => db.drop());

  it('shows an open vote with its turnout but not its tally, then the stored tally after close', async () => {
    const [json, text] = await Promise.all([status('1', '--json'), status('1')]);
    const view = JSON.parse(json) as ProposalStatusView;
    expect(view).toEqual({
      number: 1,
      title: '加装电梯',
      body: '',
      category: 'elevator',
      authorUnit: null,
      state: 'voting',
      cosigns: 3,
      cosignThreshold: 3,
      cosignDeadline: at(-6 * DAY).toISOString(),
      votingOpensAt: at(-1 * DAY).toISOString(),
      votingClosesAt: at(2 * DAY).toISOString(),
      eligible: 10,
      turnout: { ballots: 5, eligible: 10 },
      tally: null,
      result: null,
      resolution: null,
    });
    expect(text).toContain('#1 加装电梯 [elevator] — voting');
    expect(text).toContain('turnout: 5/10');
    expect(text).toContain('tally: hidden until the vote closes');
    expect(text).not.toMatch(/for 3/);

    await db.prisma.proposal.update({
      where: { id: ids.get(1) },
      data: {
        state: 'no_quorum',
        closedAt: at(-1000),
        tallyFor: 3,
        tallyAgainst: 1,
        tallyAbstain: 1,
      },
    });
    const closed = JSON.parse(await status('1', '--json')) as ProposalStatusView;
    expect(closed).toMatchObject({
      state: 'no_quorum',
      turnout: { ballots: 5, eligible: 10 },
      tally: { for: 3, against: 1, abstain: 1 },
      result: 'no_quorum',
    });
    expect(await status('1')).toContain('tally: for 3, against 1, abstain 1 — no_quorum');
  });

  it('shows a resolution with its deadline, overdue flag and escalation level', async () => {
    const [overdue, done, text] = await Promise.all([
      status('3', '--json'),
      status('8', '--json'),
      status('3'),
    ]);
    const view = JSON.parse(overdue) as ProposalStatusView;
    expect(view.state).toBe('passed');
    expect(view.tally).toEqual({ for: 7, against: 1, abstain: 0 });
    expect(view.result).toBe('passed');
    expect(view.resolution).toEqual({
      lead: '物业',
      coop: ['居委会', '城管'],
      dueAt: at(-4 * DAY).toISOString(),
      state: 'in_progress',
      progress: 40,
      latestNote: '已完成设计',
      overdue: true,
      escalationLevel: 2,
      flagged: false,
    });
    expect(text).toContain('resolution: in_progress, 40% — lead 物业, with 居委会, 城管');
    expect(text).toContain('OVERDUE');
    expect(text).toContain('escalation level: 2');
    expect(text).toContain('latest note: 已完成设计');

    const finished = JSON.parse(done) as ProposalStatusView;
    expect(finished.resolution).toMatchObject({
      state: 'done',
      overdue: false,
      escalationLevel: 1,
    });
  });

  it('lists open proposals and unevaluated resolutions, by number', async () => {
    const [json, text] = await Promise.all([status('--json'), status()]);
    const items = JSON.parse(json) as ProposalStatusView[];
    // #1 was closed above (no_quorum, no resolution); #4, #5, #6 are final.
    expect(items.map((v) => [v.number, v.state, v.resolution?.state ?? null])).toEqual([
      [2, 'collecting', null],
      [3, 'passed', 'in_progress'],
      [7, 'noticed', null],
      [8, 'passed', 'done'],
    ]);
    expect(items[0]).toMatchObject({
      cosigns: 2,
      cosignThreshold: 3,
      cosignDeadline: at(5 * DAY).toISOString(),
      turnout: null,
      tally: null,
    });
    expect(items[2]?.votingOpensAt).toBe(at(6 * DAY).toISOString());
    expect(text.trim().split('\n')).toEqual([
      `#2 议题 2 — collecting 2/3 co-signs until ${at(5 * DAY).toISOString()}`,
      `#3 议题 3 — resolution in_progress 40%, due ${at(-4 * DAY).toISOString()}, overdue, escalation 2`,
      `#7 议题 7 — noticed, vote opens ${at(6 * DAY).toISOString()}`,
      `#8 议题 8 — resolution done 100%, due ${at(-2 * DAY).toISOString()}, escalation 1`,
    ]);
  });

  it('refuses an unknown number or community with exit 1 and a clear message', async () => {
    const [missing, bad, nowhere] = await Promise.all([
      cli(['status', '--community', communityId, '99', '--json']),
      cli(['status', '--community', communityId, 'abc']),
      cli(['status', '--community', 'no-such-community']),
    ]);
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain(`no proposal #99 in community ${communityId}`);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('proposal number must be a whole number');
    expect(nowhere.code).toBe(1);
    expect(nowhere.stderr).toContain('no community with id no-such-community');
  });

  it('gives a resident their balance and the 10 newest ledger entries', async () => {
    const residentId = randomUUID();
    await db.prisma.pointsEntry.createMany({
      data: Array.from({ length: 12 }, (_, i) => ({
        id: randomUUID(),
        communityId,
        residentId,
        kind: i % 2 ? 'vote' : 'cosign',
        amount: i % 2 ? 2 : 1,
        subject: `proposal:${i}`,
        at: at(i * 1000),
      })),
    });
    const reader = statusReader(db);
    const view = await pointsOf(reader, { residentId });
    expect(view.balance).toBe(6 * 2 + 6 * 1);
    expect(view.recent).toHaveLength(10);
    expect(view.recent[0]).toEqual({
      kind: 'vote',
      amount: 2,
      subject: 'proposal:11',
      at: at(11_000).toISOString(),
    });
    expect(view.recent.map((e) => e.subject)).toEqual(
      Array.from({ length: 10 }, (_, i) => `proposal:${11 - i}`),
    );
    expect(await pointsOf(reader, { residentId: randomUUID() })).toMatchObject({
      balance: 0,
      recent: [],
    });
  });
});
