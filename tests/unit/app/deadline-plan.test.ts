import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  type Deadline,
  deadlineJobId,
  deadlinePlan,
  digestPlan,
  type PlanProposal,
  type PlanResolution,
} from '../../../src/app/deadline-plan.ts';
import { DEFAULT_POLICY, resolvePolicy } from '../../../src/domain/policy.ts';

const DAY = 86_400_000;
const ID = '3f0c2a9e-5d7b-4c1e-9a42-7b1d2e3f4a5b';
const COMMUNITY = '9d8c7b6a-5f4e-4d3c-8b2a-1f0e9d8c7b6a';
const t0 = new Date('2026-12-01T02:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);

const proposal = (patch: Partial<PlanProposal> = {}): PlanProposal => ({
  id: ID,
  communityId: COMMUNITY,
  number: 12,
  state: 'collecting',
  cosignDeadline: at(14 * DAY),
  votingOpensAt: null,
  votingClosesAt: null,
  ...patch,
});

const resolution = (patch: Partial<PlanResolution> = {}): PlanResolution => ({
  state: 'assigned',
  dueAt: at(10 * DAY),
  assignedAt: t0,
  surveyClosesAt: null,
  ...patch,
});

const plan = (
  p: PlanProposal,
  r: PlanResolution | null = null,
  now = t0,
  sent?: ReadonlySet<string>,
  policy = DEFAULT_POLICY,
) => deadlinePlan({ proposal: p, resolution: r, policy, now, ...(sent ? { sent } : {}) });

const summary = (deadlines: Deadline[]) =>
  deadlines.map((d) => ({ type: d.type, dueAt: d.dueAt.toISOString(), detail: d.detail }));

describe('deadlineJobId', () => {
  it('is versioned, deterministic, and names type, subject, detail and time', () => {
    expect(deadlineJobId('vote_close', ID, at(0))).toBe(`v1-close-${ID}-${t0.getTime()}`);
    expect(deadlineJobId('escalation', ID, at(0), 2)).toBe(`v1-level-${ID}-2-${t0.getTime()}`);
  });

  it('never contains ":" and is never all digits, and differs for any differing part', () => {
    fc.assert(
      fc.property(
        fc.uuid(),
        fc.integer({ min: 0, max: 4_102_444_800_000 }),
        fc.option(fc.integer({ min: 0, max: 10 * DAY }), { nil: null }),
        (subject, ms, detail) => {
          const id = deadlineJobId('vote_reminder', subject, new Date(ms), detail);
          expect(id).not.toContain(':');
          expect(id).not.toMatch(/^\d+$/);
          expect(deadlineJobId('vote_reminder', subject, new Date(ms + 1), detail)).not.toBe(id);
          expect(deadlineJobId('due_reminder', subject, new Date(ms), detail)).not.toBe(id);
        },
      ),
    );
  });

  it('refuses a subject id that could break a job id', () => {
    expect(() => deadlineJobId('vote_open', 'a:b', t0)).toThrow(/not a safe job id part/);
  });
});

describe('deadlinePlan: proposals', () => {
  it('collecting: the co-sign window expires', () => {
    expect(summary(plan(proposal()))).toEqual([
      { type: 'cosign_expiry', dueAt: at(14 * DAY).toISOString(), detail: null },
    ]);
  });

  it('noticed: the vote opens; moved later, the job id changes with it', () => {
    const noticed = proposal({
      state: 'noticed',
      votingOpensAt: at(7 * DAY),
      votingClosesAt: at(10 * DAY),
    });
    const [open] = plan(noticed);
    expect(open).toMatchObject({ type: 'vote_open', dueAt: at(7 * DAY), number: 12 });
    const [moved] = plan({ ...noticed, votingOpensAt: at(8 * DAY) });
    expect(moved?.dueAt).toEqual(at(8 * DAY));
    expect(moved?.jobId).not.toBe(open?.jobId);
  });

  it('voting: the vote closes, with reminders before it but not at or before the opening', () => {
    const voting = proposal({
      state: 'voting',
      votingOpensAt: at(7 * DAY),
      votingClosesAt: at(10 * DAY),
    });
    // Default reminders 3d and 1d before; 3d before a 3-day vote is its opening.
    expect(summary(plan(voting, null, at(7 * DAY)))).toEqual([
      { type: 'vote_reminder', dueAt: at(9 * DAY).toISOString(), detail: DAY },
      { type: 'vote_close', dueAt: at(10 * DAY).toISOString(), detail: null },
    ]);
  });

  it('keeps a missed reminder (only the latest), and none once the deadline has passed', () => {
    const policy = { ...DEFAULT_POLICY, remindersBeforeDueMs: [3 * DAY, 2 * DAY, DAY] };
    const voting = proposal({ state: 'voting', votingOpensAt: at(0), votingClosesAt: at(4 * DAY) });
    // At 3.5 days both the 3d and the 2d reminders are past: only the 2d one stays.
    expect(summary(plan(voting, null, at(3.5 * DAY), undefined, policy))).toEqual([
      { type: 'vote_reminder', dueAt: at(3 * DAY).toISOString(), detail: DAY },
      { type: 'vote_close', dueAt: at(4 * DAY).toISOString(), detail: null },
    ]);
    expect(
      summary(plan(voting, null, at(2.5 * DAY), undefined, policy)).map((d) => d.detail),
    ).toEqual([2 * DAY, DAY, null]);
    expect(summary(plan(voting, null, at(4 * DAY + 1), undefined, policy))).toEqual([
      { type: 'vote_close', dueAt: at(4 * DAY).toISOString(), detail: null },
    ]);
  });

  it('leaves out notices already sent', () => {
    const voting = proposal({
      state: 'voting',
      votingOpensAt: at(7 * DAY),
      votingClosesAt: at(10 * DAY),
    });
    const [reminder] = plan(voting, null, at(9 * DAY));
    expect(reminder?.type).toBe('vote_reminder');
    const after = plan(voting, null, at(9 * DAY), new Set([reminder?.jobId ?? '']));
    expect(after.map((d) => d.type)).toEqual(['vote_close']);
  });

  it.each(['agenda', 'passed', 'rejected', 'no_quorum', 'expired', 'withdrawn'] as const)(
    '%s: nothing pending',
    (state) => {
      expect(
        plan(proposal({ state, votingOpensAt: at(DAY), votingClosesAt: at(2 * DAY) })),
      ).toEqual([]);
    },
  );
});

describe('deadlinePlan: resolutions', () => {
  const passed = proposal({ state: 'passed' });

  it('unfinished: due reminders then escalation levels 1, 2, 3', () => {
    expect(summary(plan(passed, resolution()))).toEqual([
      { type: 'due_reminder', dueAt: at(7 * DAY).toISOString(), detail: 3 * DAY },
      { type: 'due_reminder', dueAt: at(9 * DAY).toISOString(), detail: DAY },
      { type: 'escalation', dueAt: at(10 * DAY).toISOString(), detail: 1 },
      { type: 'escalation', dueAt: at(13 * DAY).toISOString(), detail: 2 },
      { type: 'escalation', dueAt: at(17 * DAY).toISOString(), detail: 3 },
    ]);
  });

  it('no reminder from before the assignment; every missed level stays due', () => {
    const late = resolution({ assignedAt: at(8 * DAY) });
    expect(summary(plan(passed, late, at(8 * DAY))).map((d) => d.detail)).toEqual([DAY, 1, 2, 3]);
    const levels = plan(passed, resolution(), at(20 * DAY));
    expect(levels.map((d) => d.detail)).toEqual([1, 2, 3]);
    const [level1] = levels;
    expect(
      plan(passed, resolution(), at(20 * DAY), new Set([level1?.jobId ?? ''])).map((d) => d.detail),
    ).toEqual([2, 3]);
  });

  it('done: the ladder stops and the survey closes; evaluated: nothing', () => {
    const done = resolution({ state: 'done', surveyClosesAt: at(12 * DAY) });
    expect(summary(plan(passed, done, at(11 * DAY)))).toEqual([
      { type: 'survey_close', dueAt: at(12 * DAY).toISOString(), detail: null },
    ]);
    expect(plan(passed, resolution({ state: 'evaluated', surveyClosesAt: at(12 * DAY) }))).toEqual(
      [],
    );
  });

  it('follows the policy: short ladders for accelerated tests', () => {
    const resolved = resolvePolicy({ reminders: ['1s'], escalation: ['0s', '2s', '4s'] });
    if (!resolved.ok) throw new Error(resolved.errors.join());
    const r = resolution({ dueAt: at(10_000) });
    expect(summary(plan(passed, r, t0, undefined, resolved.policy)).map((d) => d.dueAt)).toEqual(
      [9_000, 10_000, 12_000, 14_000].map((ms) => at(ms).toISOString()),
    );
  });
});

describe('digestPlan', () => {
  // Created long before every clock below: only the weekday and time decide.
  const community = {
    id: COMMUNITY,
    timezone: 'Asia/Shanghai',
    createdAt: new Date('2026-01-01T00:00:00.000Z'),
  };
  const createdAt = (iso: string) => ({ ...community, createdAt: new Date(iso) });
  // Monday 2026-11-30 09:00 in Shanghai is 01:00 UTC; the next Monday is 2026-12-07.
  const thisMonday = new Date('2026-11-30T01:00:00.000Z');
  const nextMonday = new Date('2026-12-07T01:00:00.000Z');

  it('next Monday 09:00 local time', () => {
    // 2026-12-01 is a Tuesday; Monday 2026-12-07 09:00 in Shanghai is 01:00 UTC.
    const [next] = digestPlan({ community, policy: DEFAULT_POLICY, now: t0 });
    expect(next).toMatchObject({
      type: 'digest',
      subjectId: COMMUNITY,
      number: null,
      dueAt: new Date('2026-12-07T01:00:00.000Z'),
    });
  });

  it('keeps a digest missed by less than a day until it is sent', () => {
    const monday = new Date('2026-12-07T01:00:00.000Z');
    const missed = digestPlan({
      community,
      policy: DEFAULT_POLICY,
      now: new Date(monday.getTime() + 3_600_000),
    });
    expect(missed.map((d) => d.dueAt)).toEqual([monday, new Date('2026-12-14T01:00:00.000Z')]);
    const sent = new Set([missed[0]?.jobId ?? '']);
    expect(
      digestPlan({
        community,
        policy: DEFAULT_POLICY,
        now: new Date(monday.getTime() + 3_600_000),
        sent,
      }),
    ).toHaveLength(1);
    expect(
      digestPlan({
        community,
        policy: DEFAULT_POLICY,
        now: new Date(monday.getTime() + 2 * DAY),
      }).map((d) => d.dueAt),
    ).toEqual([new Date('2026-12-14T01:00:00.000Z')]);
  });

  it("gives a community created after this week's digest time its first digest next week", () => {
    // Created Monday 10:00 Shanghai, planned at 10:05 (and again at 09:05 the next day).
    const community = createdAt('2026-11-30T02:00:00.000Z');
    for (const now of [new Date('2026-11-30T02:05:00.000Z'), new Date('2026-12-01T01:05:00Z')]) {
      expect(digestPlan({ community, policy: DEFAULT_POLICY, now }).map((d) => d.dueAt)).toEqual([
        nextMonday,
      ]);
    }
  });

  it("gives a community created before this week's digest time that digest, even if missed", () => {
    // Created Sunday afternoon; the workers plan Monday 09:05, after the digest's time.
    const community = createdAt('2026-11-29T07:00:00.000Z');
    const now = new Date('2026-11-30T01:05:00.000Z');
    expect(digestPlan({ community, policy: DEFAULT_POLICY, now }).map((d) => d.dueAt)).toEqual([
      thisMonday,
      nextMonday,
    ]);
  });

  it('plans nothing at or before a creation time ahead of the clock', () => {
    // A clock behind the database's (or a test clock in the past): next week's, not this one.
    const community = createdAt('2026-11-30T01:00:00.000Z');
    const now = new Date('2026-11-30T00:59:00.000Z');
    expect(digestPlan({ community, policy: DEFAULT_POLICY, now }).map((d) => d.dueAt)).toEqual([
      nextMonday,
    ]);
  });

  it('never plans a digest at or before the community existed, whatever the clock (property)', () => {
    const week = 7 * DAY;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 4 * week }),
        fc.integer({ min: -2 * week, max: 2 * week }),
        (nowMs, createdOffsetMs) => {
          const now = new Date(Date.UTC(2026, 10, 1) + nowMs);
          const created = new Date(now.getTime() + createdOffsetMs);
          const plan = digestPlan({
            community: { ...community, createdAt: created },
            policy: DEFAULT_POLICY,
            now,
          });
          expect(plan.length).toBeGreaterThan(0);
          for (const d of plan) expect(d.dueAt.getTime()).toBeGreaterThan(created.getTime());
          // Exactly one digest ahead of both the clock and the creation time.
          expect(plan.filter((d) => d.dueAt > now).length).toBe(1);
        },
      ),
    );
  });
});
