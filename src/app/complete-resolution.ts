import { complete } from '../domain/resolution.ts';
import { actorLabel, type Command, type CoreDeps, policyOf, type Refusal, run } from './core.ts';
import type { Publication } from './ports/delivery.ts';
import { checkNote, leadExecutorOf, type ResolutionRefusal } from './report-progress.ts';

export type CompleteResolutionOutcome =
  | {
      kind: 'completed';
      number: number;
      doneAt: string;
      surveyClosesAt: string;
      publish: Publication[];
    }
  | ResolutionRefusal
  | Refusal;

/** `/done N NOTE`: an executor of the lead unit marks the work done, which opens the satisfaction survey. */
export async function completeResolution(
  deps: CoreDeps,
  input: Command & { number: number; note: string },
): Promise<CompleteResolutionOutcome> {
  const checked = checkNote(input.note);
  if ('kind' in checked) return checked;
  const { note } = checked;
  return run(deps, input, async (tx, now): Promise<CompleteResolutionOutcome> => {
    const loaded = await leadExecutorOf(tx, input);
    if ('kind' in loaded) return loaded;
    const { actor, resolution: r } = loaded;
    const decision = complete({ ...r, progressPercent: r.progress }, now, policyOf(actor));
    if (decision.kind === 'already_done') {
      return { kind: 'already_done', number: r.number, state: decision.state };
    }
    await tx.updateResolution(r.id, {
      state: decision.next.state,
      progress: decision.next.progressPercent,
      latestNote: note,
      doneAt: now,
      surveyClosesAt: decision.surveyClosesAt,
    });
    await tx.appendAudit({
      communityId: r.communityId,
      actor: actorLabel(actor),
      action: 'resolution.done',
      subject: `resolution:${r.id}`,
      payload: {
        note,
        previousState: r.state,
        previousPercent: r.progress,
        surveyClosesAt: decision.surveyClosesAt.toISOString(),
      },
      at: now,
    });
    return {
      kind: 'completed',
      number: r.number,
      doneAt: now.toISOString(),
      surveyClosesAt: decision.surveyClosesAt.toISOString(),
      publish: [{ kind: 'survey_card', communityId: r.communityId, number: r.number }],
    };
  });
}
