import { evaluate } from '../domain/resolution.ts';
import { type CoreDeps, communityPolicy, transition } from './core.ts';
import type { Publication } from './ports/delivery.ts';
import type { ResolutionStateName } from './ports/store.ts';
import { TITLE_MAX } from './propose.ts';

export type CloseSurveyOutcome =
  | {
      kind: 'evaluated';
      number: number;
      flagged: boolean;
      verdict: 'satisfied' | 'unsatisfied' | 'no_answers';
      satisfied: number;
      answered: number;
      /** Satisfied answers that were needed: ceil(satisfactionBar × answered). */
      satisfiedNeeded: number;
      /** When flagged: a follow-up proposal to open in one step (title, and the resolution it follows up). */
      followUp: { title: string; followUpOf: string } | null;
      publish: Publication[];
    }
  | { kind: 'resolution_unknown'; number: number }
  | { kind: 'not_yet'; number: number; surveyClosesAt: string }
  | { kind: 'wrong_state'; number: number; state: ResolutionStateName };

const FOLLOW_UP_PREFIX = { 'zh-CN': '【跟进】', en: 'Follow-up: ' } as const;

function followUpTitle(title: string, locale: 'zh-CN' | 'en'): string {
  const chars = [...`${FOLLOW_UP_PREFIX[locale]}${title}`];
  return chars.length <= TITLE_MAX ? chars.join('') : `${chars.slice(0, TITLE_MAX - 1).join('')}…`;
}

/**
 * Evaluates the satisfaction survey once it has closed (the workers call this
 * at `surveyClosesAt`): under the satisfaction bar the resolution is flagged
 * and a follow-up proposal is offered. A repeated call changes nothing.
 */
export async function closeSurvey(
  deps: CoreDeps,
  target: { communityId: string; number: number },
): Promise<CloseSurveyOutcome> {
  const now = deps.clock.now();
  return transition(deps, now, async (tx): Promise<CloseSurveyOutcome> => {
    const r = await tx.resolution(target.communityId, target.number, 'update');
    if (!r) return { kind: 'resolution_unknown', number: target.number };
    const community = await tx.community(r.communityId);
    const policy = communityPolicy(community);
    const counts = await tx.surveyCounts(r.id);
    const decision = evaluate(
      { ...r, progressPercent: r.progress },
      { satisfied: counts.satisfied, total: counts.answered },
      now,
      policy,
    );
    if (decision.kind === 'wrong_state') {
      return { kind: 'wrong_state', number: r.number, state: r.state };
    }
    if (decision.kind === 'not_yet') {
      return {
        kind: 'not_yet',
        number: r.number,
        surveyClosesAt: decision.surveyClosesAt.toISOString(),
      };
    }
    await tx.updateResolution(r.id, {
      state: decision.next.state,
      evaluatedAt: now,
      satisfiedCount: decision.satisfied,
      answeredCount: decision.total,
      flagged: decision.flagged,
    });
    await tx.appendAudit({
      communityId: r.communityId,
      actor: 'system',
      action: 'survey.evaluated',
      subject: `resolution:${r.id}`,
      payload: {
        verdict: decision.verdict,
        flagged: decision.flagged,
        satisfied: decision.satisfied,
        answered: decision.total,
        satisfiedNeeded: decision.satisfiedNeeded,
        bar: decision.bar,
      },
      at: now,
    });
    const proposal = decision.flagged ? await tx.proposalById(r.proposalId, 'none') : undefined;
    return {
      kind: 'evaluated',
      number: r.number,
      flagged: decision.flagged,
      verdict: decision.verdict,
      satisfied: decision.satisfied,
      answered: decision.total,
      satisfiedNeeded: decision.satisfiedNeeded,
      followUp: decision.flagged
        ? {
            title: followUpTitle(proposal?.title ?? `#${r.number}`, community?.locale ?? 'zh-CN'),
            followUpOf: r.id,
          }
        : null,
      publish: [{ kind: 'survey_card', communityId: r.communityId, number: r.number }],
    };
  });
}
