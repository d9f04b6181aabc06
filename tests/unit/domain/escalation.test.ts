import { describe, expect, it } from 'vitest';
import {
  dueSteps,
  escalationLadder,
  escalationLevelAt,
  ladderAudience,
} from '../../../src/domain/escalation.ts';
import { DEFAULT_POLICY } from '../../../src/domain/policy.ts';
import type { ResolutionStatus } from '../../../src/domain/resolution.ts';

const DAY = 86_400_000;
const dueAt = new Date('2026-12-01T15:59:59.999Z');
const at = (offsetMs: number) => new Date(dueAt.getTime() + offsetMs);
const open = { state: 'in_progress' as ResolutionStatus, dueAt };
const keys = (steps: readonly { key: string }[]) => steps.map((s) => s.key);

describe('escalationLadder', () => {
  it('reminds at due-3d and due-1d, then levels at due, +3d and +7d', () => {
    expect(escalationLadder(dueAt, DEFAULT_POLICY)).toEqual([
      { kind: 'reminder', beforeMs: 3 * DAY, at: at(-3 * DAY), key: 'reminder-3d' },
      { kind: 'reminder', beforeMs: DAY, at: at(-DAY), key: 'reminder-1d' },
      { kind: 'level', level: 1, at: at(0), key: 'level-1' },
      { kind: 'level', level: 2, at: at(3 * DAY), key: 'level-2' },
      { kind: 'level', level: 3, at: at(7 * DAY), key: 'level-3' },
    ]);
  });
});

describe('dueSteps', () => {
  it('returns nothing before the first reminder', () => {
    expect(dueSteps(open, at(-3 * DAY - 1), DEFAULT_POLICY, [])).toEqual([]);
  });

  it('returns each step once, when due', () => {
    expect(keys(dueSteps(open, at(-3 * DAY), DEFAULT_POLICY, []))).toEqual(['reminder-3d']);
    expect(keys(dueSteps(open, at(-DAY), DEFAULT_POLICY, ['reminder-3d']))).toEqual([
      'reminder-1d',
    ]);
    expect(keys(dueSteps(open, at(0), DEFAULT_POLICY, ['reminder-3d', 'reminder-1d']))).toEqual([
      'level-1',
    ]);
    expect(
      dueSteps(open, at(DAY), DEFAULT_POLICY, ['reminder-3d', 'reminder-1d', 'level-1']),
    ).toEqual([]);
    expect(keys(dueSteps(open, at(3 * DAY), DEFAULT_POLICY, ['level-1']))).toEqual(['level-2']);
  });

  it('sends only the latest missed reminder, and none after the due time', () => {
    expect(keys(dueSteps(open, at(-DAY + 5), DEFAULT_POLICY, []))).toEqual(['reminder-1d']);
    expect(keys(dueSteps(open, at(8 * DAY), DEFAULT_POLICY, []))).toEqual([
      'level-1',
      'level-2',
      'level-3',
    ]);
  });

  it('stops once the work is done', () => {
    for (const state of ['done', 'evaluated'] as const) {
      expect(dueSteps({ state, dueAt }, at(8 * DAY), DEFAULT_POLICY, [])).toEqual([]);
    }
  });
});

describe('escalationLevelAt', () => {
  it('climbs with time and drops to 0 when done', () => {
    expect(escalationLevelAt(open, at(-1), DEFAULT_POLICY)).toBe(0);
    expect(escalationLevelAt(open, at(0), DEFAULT_POLICY)).toBe(1);
    expect(escalationLevelAt(open, at(3 * DAY - 1), DEFAULT_POLICY)).toBe(1);
    expect(escalationLevelAt(open, at(3 * DAY), DEFAULT_POLICY)).toBe(2);
    expect(escalationLevelAt(open, at(7 * DAY), DEFAULT_POLICY)).toBe(3);
    expect(escalationLevelAt({ state: 'done', dueAt }, at(7 * DAY), DEFAULT_POLICY)).toBe(0);
  });
});

describe('ladderAudience', () => {
  it('names the roles at each rung', () => {
    expect(ladderAudience({ kind: 'reminder' })).toEqual(['lead_unit']);
    expect(ladderAudience({ kind: 'level', level: 1 })).toEqual(['lead_unit', 'committee']);
    expect(ladderAudience({ kind: 'level', level: 2 })).toEqual(['supervisor']);
    expect(ladderAudience({ kind: 'level', level: 3 })).toEqual(['street_office']);
  });
});
