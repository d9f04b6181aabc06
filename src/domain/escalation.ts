/**
 * The escalation ladder of a resolution: reminders to the lead unit before
 * the due time, then levels 1 (lead unit + committee, 约谈), 2 (supervision
 * group) and 3 (street office, 督办) after it. Completing the work stops it.
 */
import { formatDuration } from './duration.ts';
import type { Policy } from './policy.ts';
import type { ResolutionState } from './resolution.ts';

export type EscalationLevel = 1 | 2 | 3;

/**
 * One rung with its time. `key` is stable for a resolution ("reminder-3d",
 * "level-2"), safe in job ids (no ":"), and what `alreadyFired` holds.
 */
export type LadderStep =
  | {
      readonly kind: 'reminder';
      readonly beforeMs: number;
      readonly at: Date;
      readonly key: string;
    }
  | {
      readonly kind: 'level';
      readonly level: EscalationLevel;
      readonly at: Date;
      readonly key: string;
    };

/** Who a step is pushed to: roles, resolved to people by the caller. */
export type LadderAudience = 'lead_unit' | 'committee' | 'supervisor' | 'street_office';

type LadderPolicy = Pick<Policy, 'remindersBeforeDueMs' | 'escalationAfterDueMs'>;

function levelOffsets(policy: LadderPolicy): [EscalationLevel, number][] {
  const [first, second, third] = policy.escalationAfterDueMs;
  return [
    [1, first],
    [2, second],
    [3, third],
  ];
}

/** Every step for a due time, in time order (a reminder before a level at the same time). */
export function escalationLadder(dueAt: Date, policy: LadderPolicy): LadderStep[] {
  const due = dueAt.getTime();
  const reminders: LadderStep[] = [...policy.remindersBeforeDueMs]
    .sort((a, b) => b - a)
    .map((beforeMs) => ({
      kind: 'reminder',
      beforeMs,
      at: new Date(due - beforeMs),
      key: `reminder-${formatDuration(beforeMs)}`,
    }));
  const levels: LadderStep[] = levelOffsets(policy).map(([level, afterMs]) => ({
    kind: 'level',
    level,
    at: new Date(due + afterMs),
    key: `level-${level}`,
  }));
  // A stable sort keeps reminders ahead of a level at the same instant.
  return [...reminders, ...levels].sort((a, b) => a.at.getTime() - b.at.getTime());
}

function isFinished(res: Pick<ResolutionState, 'state'>): boolean {
  return res.state === 'done' || res.state === 'evaluated';
}

/**
 * The steps to push now: due (`at <= now`) and not in `alreadyFired`; none
 * once the work is done. Of several due reminders only the latest is
 * returned, and none once the due time has passed (a stale reminder is
 * noise); every due level is returned, lowest first, so a level skipped
 * while the workers were down still reaches its people.
 */
export function dueSteps(
  res: Pick<ResolutionState, 'state' | 'dueAt'>,
  now: Date,
  policy: LadderPolicy,
  alreadyFired: Iterable<string>,
): LadderStep[] {
  if (isFinished(res)) return [];
  const fired = new Set(alreadyFired);
  const due = escalationLadder(res.dueAt, policy).filter((s) => s.at <= now && !fired.has(s.key));
  const levels = due.filter((s) => s.kind === 'level');
  const reminders = now < res.dueAt ? due.filter((s) => s.kind === 'reminder').slice(-1) : [];
  return [...reminders, ...levels];
}

/** The highest level reached at `now` (0 when not overdue, or once done). */
export function escalationLevelAt(
  res: Pick<ResolutionState, 'state' | 'dueAt'>,
  now: Date,
  policy: LadderPolicy,
): 0 | EscalationLevel {
  if (isFinished(res)) return 0;
  let reached: 0 | EscalationLevel = 0;
  for (const [level, afterMs] of levelOffsets(policy)) {
    if (res.dueAt.getTime() + afterMs <= now.getTime()) reached = level;
  }
  return reached;
}

/** Who a step goes to: reminders and level 1 to the lead unit (level 1 with the committee). */
export function ladderAudience(
  step: { readonly kind: 'reminder' } | { readonly kind: 'level'; readonly level: EscalationLevel },
): readonly LadderAudience[] {
  if (step.kind === 'reminder') return ['lead_unit'];
  switch (step.level) {
    case 1:
      return ['lead_unit', 'committee'];
    case 2:
      return ['supervisor'];
    case 3:
      return ['street_office'];
  }
}
