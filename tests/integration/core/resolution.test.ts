import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { answerSurvey } from '../../../src/app/answer-survey.ts';
import { assignResolution } from '../../../src/app/assign-resolution.ts';
import { closeSurvey } from '../../../src/app/close-survey.ts';
import { completeResolution } from '../../../src/app/complete-resolution.ts';
import type { CoreDeps } from '../../../src/app/core.ts';
import { createCommunity } from '../../../src/app/create-community.ts';
import { importRoster } from '../../../src/app/import-roster.ts';
import type { ActorRef } from '../../../src/app/ports/store.ts';
import { reportProgress } from '../../../src/app/report-progress.ts';
import { rosterDeps } from '../../../src/runtime/roster-deps.ts';
import { deliberationStore } from '../../../src/store/deliberation-store.ts';
import type { ProposalState } from '../../../src/store/generated/prisma/client.ts';
import { createTestDatabase, type TestDatabase } from '../../support/postgres.ts';

const DAY = 24 * 3600 * 1000;

/** One resident per household (unit 105 has two), with the offices the tests need. */
const ROSTER = [
  { unit: '101', name: '主任', roles: 'resident;committee' },
  { unit: '102', name: '居民甲', roles: 'resident' },
  { unit: '103', name: '物业经理', roles: 'resident;executor:物业' },
  { unit: '104', name: '绿化队长', roles: 'resident;executor:绿化公司' },
  { unit: '105', name: '居民乙', roles: 'resident' },
  { unit: '105', name: '居民乙家属', roles: 'resident' },
  { unit: '106', name: '居民丙', roles: 'resident' },
  { unit: '107', name: '居民丁', roles: 'resident' },
  { unit: '108', name: '居民戊', roles: 'resident' },
];

describe('resolutions: assign, progress, done, survey', () => {
  let db: TestDatabase;
  let deps: CoreDeps;
  let communityId: string;
  let current = new Date('2026-12-01T02:00:00.000Z');
  const ids = new Map<string, string>();
  let nextNumber = 1;

  const as = (name: string): ActorRef => {
    const residentId = ids.get(name);
    if (!residentId) throw new Error(`no resident ${name}`);
    return { kind: 'resident', residentId };
  };
  const committee = () => as('主任');
  const lead = () => as('物业经理');

  /** A proposal row already in `state` (passed by default), as if its vote had closed. */
  async function proposalIn(state: ProposalState = 'passed'): Promise<number> {
    const number = nextNumber++;
    await db.prisma.proposal.create({
      data: {
        id: randomUUID(),
        communityId,
        number,
        title: `议题${number}：楼道照明改造`,
        body: '',
        category: 'public_facilities',
        authorId: ids.get('居民甲') ?? '',
        state,
        createdAt: current,
        cosignDeadline: new Date(current.getTime() + 14 * DAY),
        cosignThreshold: 3,
        cosignCount: 3,
        closedAt: state === 'passed' ? current : null,
      },
    });
    return number;
  }

  async function assigned(): Promise<number> {
    const number = await proposalIn();
    const outcome = await assignResolution(deps, {
      actor: committee(),
      number,
      lead: '物业',
      due: '2027-06-30',
    });
    if (outcome.kind !== 'assigned') throw new Error(outcome.kind);
    return number;
  }

  async function done(): Promise<number> {
    const number = await assigned();
    const outcome = await completeResolution(deps, { actor: lead(), number, note: '已完工' });
    if (outcome.kind !== 'completed') throw new Error(outcome.kind);
    return number;
  }

  const resolutionRow = async (number: number) => {
    const p = await db.prisma.proposal.findUniqueOrThrow({
      where: { communityId_number: { communityId, number } },
    });
    return db.prisma.resolution.findUnique({ where: { proposalId: p.id } });
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    const roster = rosterDeps(db);
    const created = await createCommunity(roster, { name: '和平社区' });
    if (created.kind !== 'created') throw new Error(created.errors.join());
    communityId = created.id;
    const imported = await importRoster(roster, {
      communityId,
      records: ROSTER.map((r) => ({ building: '1', ...r })),
    });
    if (imported.kind !== 'imported') throw new Error(JSON.stringify(imported));
    for (const r of await db.prisma.resident.findMany({ where: { communityId } })) {
      ids.set(r.name, r.id);
    }
    deps = {
      clock: { now: () => current },
      ids: { next: () => randomUUID() },
      store: deliberationStore(db),
    };
  });
  afterAll(() => db.drop());

  it('only the committee assigns a passed proposal; a refusal stores nothing', async () => {
    const number = await proposalIn();
    const input = { number, lead: '物业', due: '2027-06-30', coop: ['绿化公司', '物业', ''] };
    expect(await assignResolution(deps, { ...input, actor: as('居民甲') })).toEqual({
      kind: 'not_allowed',
      need: 'committee',
    });
    expect(await resolutionRow(number)).toBeNull();
    expect(await db.prisma.auditEntry.count({ where: { action: 'resolution.assigned' } })).toBe(0);

    const outcome = await assignResolution(deps, { ...input, actor: committee() });
    expect(outcome).toEqual({
      kind: 'assigned',
      number,
      lead: '物业',
      coop: ['绿化公司'],
      // End of 2027-06-30 in Asia/Shanghai.
      dueAt: '2027-06-30T15:59:59.999Z',
      publish: [{ kind: 'resolution_card', communityId, number }],
    });
    const row = await resolutionRow(number);
    expect(row).toMatchObject({ state: 'assigned', progress: 0, coopUnits: ['绿化公司'] });
    expect(await db.prisma.auditEntry.count({ where: { action: 'resolution.assigned' } })).toBe(1);

    expect(await assignResolution(deps, { ...input, actor: committee() })).toEqual({
      kind: 'already_assigned',
      number,
    });
  });

  it('refuses a proposal not passed, an unknown unit and a bad or past due date', async () => {
    const voting = await proposalIn('voting');
    const passed = await proposalIn();
    const base = { actor: committee(), lead: '物业', due: '2027-06-30' };
    expect(await assignResolution(deps, { ...base, number: voting })).toEqual({
      kind: 'not_passed',
      number: voting,
      state: 'voting',
    });
    expect(await assignResolution(deps, { ...base, number: 999 })).toEqual({
      kind: 'proposal_unknown',
      number: 999,
    });
    expect(await assignResolution(deps, { ...base, number: passed, lead: '保安公司' })).toEqual({
      kind: 'unit_unknown',
      name: '保安公司',
    });
    expect(await assignResolution(deps, { ...base, number: passed, due: '2026-11-30' })).toEqual({
      kind: 'invalid',
      field: 'due',
      reason: 'in_past',
    });
    expect(await assignResolution(deps, { ...base, number: passed, due: '2027-02-30' })).toEqual({
      kind: 'invalid',
      field: 'due',
      reason: 'invalid_date',
    });
    expect(
      await assignResolution(deps, {
        ...base,
        number: passed,
        milestones: [{ title: '采购灯具', due: 'next week' }],
      }),
    ).toEqual({ kind: 'invalid', field: 'milestones[0].due', reason: 'invalid_format' });
    expect(await resolutionRow(voting)).toBeNull();
    expect(await resolutionRow(passed)).toBeNull();

    const withMilestones = await assignResolution(deps, {
      ...base,
      number: passed,
      milestones: [{ title: '采购灯具', due: '2027-03-01' }],
    });
    expect(withMilestones.kind).toBe('assigned');
    expect((await resolutionRow(passed))?.milestones).toEqual([
      { title: '采购灯具', dueAt: '2027-03-01T15:59:59.999Z' },
    ]);
  });

  it('progress by a non-executor or an executor of another unit is refused, storing nothing', async () => {
    const number = await assigned();
    const pointsBefore = await db.prisma.pointsEntry.count({ where: { kind: 'progress_check' } });
    for (const actor of [as('居民甲'), as('绿化队长'), committee()]) {
      expect(await reportProgress(deps, { actor, number, percent: 30, note: '开工' })).toEqual({
        kind: 'not_allowed',
        need: 'lead_unit_executor',
      });
      expect(await completeResolution(deps, { actor, number, note: '完成' })).toEqual({
        kind: 'not_allowed',
        need: 'lead_unit_executor',
      });
    }
    const row = await resolutionRow(number);
    expect(row).toMatchObject({ state: 'assigned', progress: 0, latestNote: null });
    expect(await db.prisma.progressReport.count({ where: { resolutionId: row?.id ?? '' } })).toBe(
      0,
    );
    expect(await db.prisma.pointsEntry.count({ where: { kind: 'progress_check' } })).toBe(
      pointsBefore,
    );
  });

  it('the lead unit executor reports progress: in_progress, a report, a point', async () => {
    const number = await assigned();
    expect(
      await reportProgress(deps, { actor: lead(), number: 998, percent: 10, note: 'x' }),
    ).toEqual({ kind: 'resolution_unknown', number: 998 });
    expect(
      await reportProgress(deps, { actor: lead(), number, percent: 101, note: '超额' }),
    ).toMatchObject({ kind: 'invalid', field: 'percent' });
    expect(
      await reportProgress(deps, { actor: lead(), number, percent: 12.5, note: '小数' }),
    ).toMatchObject({ kind: 'invalid', field: 'percent' });
    expect(await reportProgress(deps, { actor: lead(), number, percent: 5, note: '  ' })).toEqual({
      kind: 'invalid',
      field: 'note',
      reason: 'empty',
    });

    const outcome = await reportProgress(deps, {
      actor: lead(),
      number,
      percent: 40,
      note: '灯具已采购',
    });
    expect(outcome).toEqual({
      kind: 'reported',
      number,
      percent: 40,
      previousPercent: 0,
      state: 'in_progress',
      publish: [{ kind: 'resolution_card', communityId, number }],
    });
    const row = await resolutionRow(number);
    expect(row).toMatchObject({ state: 'in_progress', progress: 40, latestNote: '灯具已采购' });
    const reports = await db.prisma.progressReport.findMany({
      where: { resolutionId: row?.id ?? '' },
    });
    expect(reports).toHaveLength(1);
    expect(reports[0]).toMatchObject({ percent: 40, reporterId: ids.get('物业经理') });
    const points = await db.prisma.pointsEntry.findMany({
      where: { kind: 'progress_check', residentId: ids.get('物业经理') ?? '' },
    });
    expect(points.map((p) => [p.subject, p.amount])).toContainEqual([
      `report:${reports[0]?.id}`,
      1,
    ]);
  });

  it('the same idempotency key replayed 10 times at once stores one progress report', async () => {
    const number = await assigned();
    const outcomes = await Promise.all(
      Array.from({ length: 10 }, () =>
        reportProgress(deps, {
          actor: lead(),
          number,
          percent: 60,
          note: '过半',
          idempotencyKey: `telegram:update:${number}`,
        }),
      ),
    );
    for (const o of outcomes) expect(o).toEqual(outcomes[0]);
    expect(outcomes[0]?.kind).toBe('reported');
    const row = await resolutionRow(number);
    expect(await db.prisma.progressReport.count({ where: { resolutionId: row?.id ?? '' } })).toBe(
      1,
    );
    expect(
      await db.prisma.auditEntry.count({
        where: { action: 'resolution.progress_reported', subject: `resolution:${row?.id}` },
      }),
    ).toBe(1);
  });

  it('done opens the survey for the survey window; no more progress after it', async () => {
    const number = await assigned();
    expect(await answerSurvey(deps, { actor: as('居民甲'), number, answer: 'yes' })).toEqual({
      kind: 'no_survey',
      number,
      state: 'assigned',
    });
    const outcome = await completeResolution(deps, { actor: lead(), number, note: '全部更换完毕' });
    const surveyClosesAt = new Date(current.getTime() + 7 * DAY).toISOString();
    expect(outcome).toEqual({
      kind: 'completed',
      number,
      doneAt: current.toISOString(),
      surveyClosesAt,
      publish: [{ kind: 'survey_card', communityId, number }],
    });
    const row = await resolutionRow(number);
    expect(row).toMatchObject({ state: 'done', progress: 100, latestNote: '全部更换完毕' });
    expect(row?.surveyClosesAt?.toISOString()).toBe(surveyClosesAt);
    expect(
      await reportProgress(deps, { actor: lead(), number, percent: 90, note: '补充' }),
    ).toEqual({ kind: 'already_done', number, state: 'done' });
    expect(await completeResolution(deps, { actor: lead(), number, note: '再次' })).toEqual({
      kind: 'already_done',
      number,
      state: 'done',
    });
  });

  it('one answer per household, changeable until the survey closes', async () => {
    const number = await done();
    const first = await answerSurvey(deps, { actor: as('居民乙'), number, answer: 'no' });
    expect(first).toMatchObject({
      kind: 'answered',
      satisfied: false,
      counts: { satisfied: 0, answered: 1 },
    });
    // Another member of the same household changes the household's answer.
    expect(await answerSurvey(deps, { actor: as('居民乙家属'), number, answer: 5 })).toMatchObject({
      kind: 'answered',
      satisfied: true,
      counts: { satisfied: 1, answered: 1 },
    });
    expect(await answerSurvey(deps, { actor: as('居民丙'), number, answer: 3 })).toMatchObject({
      kind: 'answered',
      satisfied: false,
      counts: { satisfied: 1, answered: 2 },
    });
    expect(await closeSurvey(deps, { communityId, number })).toMatchObject({ kind: 'not_yet' });

    current = new Date(current.getTime() + 7 * DAY);
    expect(await answerSurvey(deps, { actor: as('居民丁'), number, answer: 'yes' })).toEqual({
      kind: 'survey_closed',
      number,
      surveyClosesAt: current.toISOString(),
    });
    const row = await resolutionRow(number);
    expect(await db.prisma.surveyAnswer.count({ where: { resolutionId: row?.id ?? '' } })).toBe(2);
  });

  it('closing the survey flags a result under the satisfaction bar and offers a follow-up, once', async () => {
    const number = await done();
    await answerSurvey(deps, { actor: as('居民甲'), number, answer: 'yes' });
    await answerSurvey(deps, { actor: as('居民丙'), number, answer: 'no' });
    await answerSurvey(deps, { actor: as('居民丁'), number, answer: 1 });
    current = new Date(current.getTime() + 7 * DAY);

    const outcome = await closeSurvey(deps, { communityId, number });
    const row = await resolutionRow(number);
    expect(outcome).toEqual({
      kind: 'evaluated',
      number,
      flagged: true,
      verdict: 'unsatisfied',
      satisfied: 1,
      answered: 3,
      satisfiedNeeded: 2,
      followUp: { title: `【跟进】议题${number}：楼道照明改造`, followUpOf: row?.id },
      publish: [{ kind: 'survey_card', communityId, number }],
    });
    expect(row).toMatchObject({
      state: 'evaluated',
      flagged: true,
      satisfiedCount: 1,
      answeredCount: 3,
    });
    expect(row?.evaluatedAt?.toISOString()).toBe(current.toISOString());

    current = new Date(current.getTime() + DAY);
    expect(await closeSurvey(deps, { communityId, number })).toEqual({
      kind: 'wrong_state',
      number,
      state: 'evaluated',
    });
    const again = await resolutionRow(number);
    expect(again).toEqual(row);
    expect(
      await db.prisma.auditEntry.count({
        where: { action: 'survey.evaluated', subject: `resolution:${row?.id}` },
      }),
    ).toBe(1);
  });

  it('a result at or over the bar is not flagged (3 of 5 meets 0.6; 2 of 3 is over it)', async () => {
    const exact = await done();
    const over = await done();
    const answers: [string, 'yes' | 'no' | 4][] = [
      ['居民甲', 'yes'],
      ['居民乙', 4],
      ['居民丙', 'yes'],
      ['居民丁', 'no'],
      ['居民戊', 'no'],
    ];
    for (const [name, answer] of answers) {
      await answerSurvey(deps, { actor: as(name), number: exact, answer });
    }
    for (const [name, answer] of answers.slice(1, 4)) {
      await answerSurvey(deps, { actor: as(name), number: over, answer });
    }
    current = new Date(current.getTime() + 7 * DAY);
    expect(await closeSurvey(deps, { communityId, number: exact })).toMatchObject({
      kind: 'evaluated',
      flagged: false,
      verdict: 'satisfied',
      satisfied: 3,
      answered: 5,
      followUp: null,
    });
    expect(await closeSurvey(deps, { communityId, number: over })).toMatchObject({
      kind: 'evaluated',
      flagged: false,
      satisfied: 2,
      answered: 3,
      followUp: null,
    });
    expect(await resolutionRow(exact)).toMatchObject({ state: 'evaluated', flagged: false });
  });
});
