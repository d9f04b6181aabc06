import { describe, expect, it } from 'vitest';
import { DEFAULT_POLICY } from '../../../src/domain/policy.ts';
import {
  checkSurveyWindow,
  complete,
  evaluate,
  isOverdue,
  isSatisfiedAnswer,
  newResolution,
  parseDueDate,
  type ResolutionState,
  reportProgress,
} from '../../../src/domain/resolution.ts';

const DAY = 86_400_000;
const now = new Date('2026-11-01T00:00:00.000Z');
const due = new Date('2026-12-01T15:59:59.999Z');

function done(): ResolutionState {
  const outcome = complete(newResolution(due), now, DEFAULT_POLICY);
  if (outcome.kind !== 'completed') throw new Error(outcome.kind);
  return outcome.next;
}

describe('reportProgress', () => {
  it('moves assigned to in_progress on the first report', () => {
    expect(reportProgress(newResolution(due), 40)).toMatchObject({
      kind: 'reported',
      previousPercent: 0,
      next: { state: 'in_progress', progressPercent: 40 },
    });
  });

  it('refuses a percent outside 0..100 or not whole', () => {
    for (const percent of [-1, 101, 12.5, Number.NaN]) {
      expect(reportProgress(newResolution(due), percent).kind).toBe('invalid_percent');
    }
    expect(reportProgress(newResolution(due), 100).kind).toBe('reported');
  });

  it('refuses reports once done', () => {
    expect(reportProgress(done(), 50)).toEqual({ kind: 'already_done', state: 'done' });
  });
});

describe('complete', () => {
  it('marks done and opens the survey for the survey window', () => {
    expect(complete(newResolution(due), now, DEFAULT_POLICY)).toMatchObject({
      kind: 'completed',
      surveyClosesAt: new Date(now.getTime() + 7 * DAY),
      next: { state: 'done', progressPercent: 100, doneAt: now },
    });
    expect(complete(done(), now, DEFAULT_POLICY)).toEqual({ kind: 'already_done', state: 'done' });
  });
});

describe('isOverdue', () => {
  it('is derived from the due date while the work is unfinished', () => {
    expect(isOverdue(newResolution(due), due)).toBe(false);
    expect(isOverdue(newResolution(due), new Date(due.getTime() + 1))).toBe(true);
    expect(isOverdue(done(), new Date(due.getTime() + DAY))).toBe(false);
  });
});

describe('survey and evaluate', () => {
  const closes = new Date(now.getTime() + 7 * DAY);

  it('accepts answers only while the survey is open', () => {
    expect(checkSurveyWindow(newResolution(due), now).kind).toBe('not_done');
    expect(checkSurveyWindow(done(), now).kind).toBe('open');
    expect(checkSurveyWindow(done(), closes).kind).toBe('closed');
  });

  it('counts yes and scores of 4 or 5 as satisfied', () => {
    expect((['yes', 'no', 1, 2, 3, 4, 5] as const).map(isSatisfiedAnswer)).toEqual([
      true,
      false,
      false,
      false,
      false,
      true,
      true,
    ]);
  });

  it('flags a result under the 60% bar, exactly', () => {
    expect(evaluate(done(), { satisfied: 6, total: 10 }, closes, DEFAULT_POLICY)).toMatchObject({
      kind: 'evaluated',
      verdict: 'satisfied',
      flagged: false,
      satisfiedNeeded: 6,
      next: { state: 'evaluated', flagged: false, evaluatedAt: closes },
    });
    expect(evaluate(done(), { satisfied: 5, total: 10 }, closes, DEFAULT_POLICY)).toMatchObject({
      verdict: 'unsatisfied',
      flagged: true,
      next: { flagged: true },
    });
  });

  it('does not flag a survey nobody answered', () => {
    expect(evaluate(done(), { satisfied: 0, total: 0 }, closes, DEFAULT_POLICY)).toMatchObject({
      verdict: 'no_answers',
      flagged: false,
    });
  });

  it('waits for the survey to close and refuses unfinished work', () => {
    expect(evaluate(done(), { satisfied: 1, total: 1 }, now, DEFAULT_POLICY)).toEqual({
      kind: 'not_yet',
      surveyClosesAt: closes,
    });
    expect(
      evaluate(newResolution(due), { satisfied: 1, total: 1 }, closes, DEFAULT_POLICY),
    ).toEqual({
      kind: 'wrong_state',
      state: 'assigned',
    });
  });
});

describe('parseDueDate', () => {
  it('reads a date as the end of that day in the community time zone', () => {
    expect(parseDueDate('2026-12-01', 'Asia/Shanghai', now)).toEqual({
      kind: 'ok',
      dueAt: new Date('2026-12-01T15:59:59.999Z'),
    });
    expect(parseDueDate('2026-12-01', 'Europe/London', now)).toEqual({
      kind: 'ok',
      dueAt: new Date('2026-12-01T23:59:59.999Z'),
    });
  });

  it('takes an ISO date-time as it is, or local when it has no offset', () => {
    expect(parseDueDate('2026-12-01T10:00:00Z', 'Asia/Shanghai', now)).toEqual({
      kind: 'ok',
      dueAt: new Date('2026-12-01T10:00:00.000Z'),
    });
    expect(parseDueDate('2026-12-01T18:00+08:00', 'Europe/London', now)).toEqual({
      kind: 'ok',
      dueAt: new Date('2026-12-01T10:00:00.000Z'),
    });
    expect(parseDueDate('2026-12-01 18:00', 'Asia/Shanghai', now)).toEqual({
      kind: 'ok',
      dueAt: new Date('2026-12-01T10:00:00.000Z'),
    });
  });

  it('refuses malformed, impossible and past dates', () => {
    expect(parseDueDate('next friday', 'Asia/Shanghai', now)).toEqual({
      kind: 'invalid_format',
      text: 'next friday',
    });
    expect(parseDueDate('2026-02-30', 'Asia/Shanghai', now).kind).toBe('invalid_date');
    expect(parseDueDate('2026-12-01T24:00', 'Asia/Shanghai', now).kind).toBe('invalid_date');
    expect(parseDueDate('2026-10-31', 'Asia/Shanghai', now)).toEqual({
      kind: 'in_past',
      dueAt: new Date('2026-10-31T15:59:59.999Z'),
    });
  });
});
