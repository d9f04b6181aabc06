/**
 * The resolution state machine (决议): assigned → in_progress → done →
 * evaluated. `overdue` is derived from the due date, never stored.
 */
import { endOfLocalDay, parseDateInput } from './date-input.ts';
import type { Policy } from './policy.ts';
import { ceilShare, meets, type Ratio } from './ratio.ts';

export type ResolutionStatus = 'assigned' | 'in_progress' | 'done' | 'evaluated';

/** What the rules need to know about a resolution. */
export type ResolutionState = {
  readonly state: ResolutionStatus;
  readonly dueAt: Date;
  /** Last reported progress, 0..100. */
  readonly progressPercent: number;
  readonly doneAt: Date | null;
  /** End of the satisfaction survey (exclusive), set when done. */
  readonly surveyClosesAt: Date | null;
  readonly evaluatedAt: Date | null;
  /** Set when the survey came in under the satisfaction bar. */
  readonly flagged: boolean;
};

type Next = { readonly next: ResolutionState };

/** A resolution just assigned from a passed proposal. */
export function newResolution(dueAt: Date): ResolutionState {
  return {
    state: 'assigned',
    dueAt,
    progressPercent: 0,
    doneAt: null,
    surveyClosesAt: null,
    evaluatedAt: null,
    flagged: false,
  };
}

/** Whether the work is unfinished and `now` is past the due time. */
export function isOverdue(res: Pick<ResolutionState, 'state' | 'dueAt'>, now: Date): boolean {
  return (res.state === 'assigned' || res.state === 'in_progress') && now > res.dueAt;
}

type AlreadyDone = { readonly kind: 'already_done'; readonly state: 'done' | 'evaluated' };

export type ProgressOutcome =
  | ({ readonly kind: 'reported'; readonly previousPercent: number } & Next)
  | { readonly kind: 'invalid_percent'; readonly percent: number }
  | AlreadyDone;

/**
 * Records a progress report (`percent` a whole number 0..100). The first
 * report moves `assigned` to `in_progress`; 100% does not complete the work
 * ({@link complete} does).
 */
export function reportProgress(res: ResolutionState, percent: number): ProgressOutcome {
  if (res.state === 'done' || res.state === 'evaluated')
    return { kind: 'already_done', state: res.state };
  if (!Number.isInteger(percent) || percent < 0 || percent > 100) {
    return { kind: 'invalid_percent', percent };
  }
  return {
    kind: 'reported',
    previousPercent: res.progressPercent,
    next: { ...res, state: 'in_progress', progressPercent: percent },
  };
}

export type CompleteOutcome =
  | ({ readonly kind: 'completed'; readonly surveyClosesAt: Date } & Next)
  | AlreadyDone;

/** Marks the work done, which stops the escalation ladder and opens the survey for `surveyWindow`. */
export function complete(res: ResolutionState, now: Date, policy: Policy): CompleteOutcome {
  if (res.state === 'done' || res.state === 'evaluated')
    return { kind: 'already_done', state: res.state };
  const surveyClosesAt = new Date(now.getTime() + policy.surveyWindowMs);
  return {
    kind: 'completed',
    surveyClosesAt,
    next: { ...res, state: 'done', progressPercent: 100, doneAt: now, surveyClosesAt },
  };
}

/** A survey answer: yes/no, or a score from 1 to 5. */
export type SurveyAnswer = 'yes' | 'no' | 1 | 2 | 3 | 4 | 5;

/** Whether an answer counts as satisfied: "yes", or a score of 4 or 5. */
export function isSatisfiedAnswer(answer: SurveyAnswer): boolean {
  return answer === 'yes' || answer === 4 || answer === 5;
}

export type SurveyWindow =
  | { readonly kind: 'open'; readonly surveyClosesAt: Date }
  | { readonly kind: 'not_done'; readonly state: ResolutionStatus }
  | { readonly kind: 'closed'; readonly surveyClosesAt: Date };

/** Whether a survey answer may be stored now. */
export function checkSurveyWindow(res: ResolutionState, now: Date): SurveyWindow {
  if (res.state !== 'done' || res.surveyClosesAt === null)
    return { kind: 'not_done', state: res.state };
  return now < res.surveyClosesAt
    ? { kind: 'open', surveyClosesAt: res.surveyClosesAt }
    : { kind: 'closed', surveyClosesAt: res.surveyClosesAt };
}

export type EvaluateOutcome =
  | ({
      readonly kind: 'evaluated';
      /** `no_answers` is not flagged: silence is no evidence of dissatisfaction. */
      readonly verdict: 'satisfied' | 'unsatisfied' | 'no_answers';
      readonly flagged: boolean;
      readonly satisfied: number;
      readonly total: number;
      readonly bar: Ratio;
      /** Satisfied answers needed out of `total`: ceil(satisfactionBar × total). */
      readonly satisfiedNeeded: number;
    } & Next)
  | { readonly kind: 'not_yet'; readonly surveyClosesAt: Date }
  | { readonly kind: 'wrong_state'; readonly state: ResolutionStatus };

/**
 * Evaluates the survey once it has closed: flagged when the satisfied share
 * is under `satisfactionBar` (exactly: satisfied × den < num × total).
 */
export function evaluate(
  res: ResolutionState,
  answers: { readonly satisfied: number; readonly total: number },
  now: Date,
  policy: Policy,
): EvaluateOutcome {
  if (res.state !== 'done' || res.surveyClosesAt === null)
    return { kind: 'wrong_state', state: res.state };
  if (now < res.surveyClosesAt) return { kind: 'not_yet', surveyClosesAt: res.surveyClosesAt };
  const { satisfied, total } = answers;
  const bar = policy.satisfactionBar;
  const verdict =
    total === 0 ? 'no_answers' : meets(satisfied, bar, total) ? 'satisfied' : 'unsatisfied';
  const flagged = verdict === 'unsatisfied';
  return {
    kind: 'evaluated',
    verdict,
    flagged,
    satisfied,
    total,
    bar,
    satisfiedNeeded: ceilShare(bar, total),
    next: { ...res, state: 'evaluated', evaluatedAt: now, flagged },
  };
}

export type DueDateOutcome =
  | { readonly kind: 'ok'; readonly dueAt: Date }
  /** Neither `YYYY-MM-DD` nor an ISO date-time. */
  | { readonly kind: 'invalid_format'; readonly text: string }
  | { readonly kind: 'invalid_date'; readonly text: string }
  | { readonly kind: 'in_past'; readonly dueAt: Date };

/**
 * Reads a due date: `YYYY-MM-DD` is the end of that day (23:59:59.999) in the
 * community's IANA `timeZone`; an ISO date-time is taken as it is (local to
 * `timeZone` when it has no offset). Refuses a due time not after `now`.
 */
export function parseDueDate(text: string, timeZone: string, now: Date): DueDateOutcome {
  const input = parseDateInput(text, timeZone);
  if (input.kind === 'invalid_format' || input.kind === 'invalid_date') {
    return { kind: input.kind, text };
  }
  const dueAt = input.kind === 'date' ? endOfLocalDay(input, timeZone) : input.at;
  return dueAt > now ? { kind: 'ok', dueAt } : { kind: 'in_past', dueAt };
}
