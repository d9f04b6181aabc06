import { reportProgress as progressRule } from '../domain/resolution.ts';
import {
  actorLabel,
  type Command,
  type CoreDeps,
  isRefusal,
  policyOf,
  type Refusal,
  run,
} from './core.ts';
import { PERMISSIONS, permits } from './permissions.ts';
import type { Publication } from './ports/delivery.ts';
import type { Actor, DeliberationTx, ResolutionRecord } from './ports/store.ts';

export const NOTE_MAX = 500;

export type ResolutionRefusal =
  | { kind: 'resolution_unknown'; number: number }
  | { kind: 'already_done'; number: number; state: 'done' | 'evaluated' };

export type ReportProgressOutcome =
  | {
      kind: 'reported';
      number: number;
      percent: number;
      previousPercent: number;
      state: 'in_progress';
      publish: Publication[];
    }
  | ResolutionRefusal
  | Refusal;

/** A note as typed after the command: trimmed, non-empty, bounded. */
export function checkNote(note: string): { note: string } | Refusal {
  const text = note.trim();
  if (text === '') return { kind: 'invalid', field: 'note', reason: 'empty' };
  if ([...text].length > NOTE_MAX)
    return { kind: 'invalid', field: 'note', reason: `longer than ${NOTE_MAX}` };
  return { note: text };
}

/**
 * Resolves the actor and the resolution `number`, locked, when the actor is
 * an executor of its lead unit; otherwise the refusal.
 */
export async function leadExecutorOf(
  tx: DeliberationTx,
  input: Command & { number: number },
): Promise<{ actor: Actor; resolution: ResolutionRecord } | ResolutionRefusal | Refusal> {
  const actor = await tx.actor(input.actor);
  if (isRefusal(actor)) return actor;
  const refused: Refusal = { kind: 'not_allowed', need: 'lead_unit_executor' };
  // The same rule for /done: completeResolution loads through here.
  if (!permits(actor, PERMISSIONS.reportProgress)) return refused;
  const resolution = await tx.resolution(actor.community.id, input.number, 'update');
  if (!resolution) return { kind: 'resolution_unknown', number: input.number };
  if (resolution.leadUnitId !== actor.executingUnitId) return refused;
  return { actor, resolution };
}

/** `/progress N PCT NOTE`: an executor of the lead unit reports progress; the first report starts the work. */
export async function reportProgress(
  deps: CoreDeps,
  input: Command & { number: number; percent: number; note: string },
): Promise<ReportProgressOutcome> {
  const checked = checkNote(input.note);
  if ('kind' in checked) return checked;
  const { note } = checked;
  return run(deps, input, async (tx, now): Promise<ReportProgressOutcome> => {
    const loaded = await leadExecutorOf(tx, input);
    if ('kind' in loaded) return loaded;
    const { actor, resolution: r } = loaded;
    const decision = progressRule({ ...r, progressPercent: r.progress }, input.percent);
    if (decision.kind === 'already_done') {
      return { kind: 'already_done', number: r.number, state: decision.state };
    }
    if (decision.kind === 'invalid_percent') {
      return { kind: 'invalid', field: 'percent', reason: 'expected a whole number 0..100' };
    }
    const reportId = deps.ids.next();
    await tx.insertProgressReport({
      id: reportId,
      resolutionId: r.id,
      reporterId: actor.residentId,
      percent: decision.next.progressPercent,
      note,
      at: now,
    });
    await tx.updateResolution(r.id, {
      state: decision.next.state,
      progress: decision.next.progressPercent,
      latestNote: note,
    });
    await tx.awardPoints(
      {
        communityId: r.communityId,
        residentId: actor.residentId,
        kind: 'progress_check',
        amount: policyOf(actor).points.progressCheck,
        subject: `report:${reportId}`,
        at: now,
      },
      deps.ids.next(),
    );
    await tx.appendAudit({
      communityId: r.communityId,
      actor: actorLabel(actor),
      action: 'resolution.progress_reported',
      subject: `resolution:${r.id}`,
      payload: {
        reportId,
        percent: decision.next.progressPercent,
        previousPercent: decision.previousPercent,
        previousState: r.state,
        note,
      },
      at: now,
    });
    return {
      kind: 'reported',
      number: r.number,
      percent: decision.next.progressPercent,
      previousPercent: decision.previousPercent,
      state: 'in_progress',
      publish: [{ kind: 'resolution_card', communityId: r.communityId, number: r.number }],
    };
  });
}
