import { checkSurveyWindow, isSatisfiedAnswer, type SurveyAnswer } from '../domain/resolution.ts';
import {
  actorLabel,
  type Command,
  type CoreDeps,
  isRefusal,
  policyOf,
  type Refusal,
  run,
  voterKeyOf,
} from './core.ts';
import type { Publication } from './ports/delivery.ts';
import type { ResolutionStateName } from './ports/store.ts';

export type AnswerSurveyOutcome =
  | {
      kind: 'answered';
      number: number;
      satisfied: boolean;
      counts: { satisfied: number; answered: number };
      surveyClosesAt: string;
      publish: Publication[];
    }
  | { kind: 'resolution_unknown'; number: number }
  | { kind: 'no_survey'; number: number; state: ResolutionStateName }
  | { kind: 'survey_closed'; number: number; surveyClosesAt: string }
  | Refusal;

const ANSWERS: readonly unknown[] = ['yes', 'no', 1, 2, 3, 4, 5];
const isAnswer = (value: unknown): value is SurveyAnswer => ANSWERS.includes(value);

/**
 * `/survey N yes|no` (or a score 1..5, or the buttons): one answer per voter,
 * changeable until the survey closes.
 */
export async function answerSurvey(
  deps: CoreDeps,
  input: Command & { number: number; answer: SurveyAnswer },
): Promise<AnswerSurveyOutcome> {
  const answer: unknown = input.answer;
  if (!isAnswer(answer)) {
    return { kind: 'invalid', field: 'answer', reason: 'expected yes, no or a score 1..5' };
  }
  return run(deps, input, async (tx, now): Promise<AnswerSurveyOutcome> => {
    const actor = await tx.actor(input.actor);
    if (isRefusal(actor)) return actor;
    const communityId = actor.community.id;
    // Locked so that an answer never slips in while the survey is being evaluated.
    const r = await tx.resolution(communityId, input.number, 'update');
    if (!r) return { kind: 'resolution_unknown', number: input.number };
    const window = checkSurveyWindow({ ...r, progressPercent: r.progress }, now);
    if (window.kind === 'not_done') return { kind: 'no_survey', number: r.number, state: r.state };
    if (window.kind === 'closed') {
      return {
        kind: 'survey_closed',
        number: r.number,
        surveyClosesAt: window.surveyClosesAt.toISOString(),
      };
    }
    const voterKey = voterKeyOf(actor, policyOf(actor));
    const satisfied = isSatisfiedAnswer(answer);
    const counts = await tx.putSurveyAnswer({
      resolutionId: r.id,
      voterKey,
      residentId: actor.residentId,
      satisfied,
      at: now,
    });
    await tx.appendAudit({
      communityId,
      actor: actorLabel(actor),
      action: 'survey.answered',
      subject: `resolution:${r.id}`,
      payload: { voterKey, answer, satisfied },
      at: now,
    });
    return {
      kind: 'answered',
      number: r.number,
      satisfied,
      counts,
      surveyClosesAt: window.surveyClosesAt.toISOString(),
      publish: [{ kind: 'survey_card', communityId, number: r.number }],
    };
  });
}
