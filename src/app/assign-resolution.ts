import { newResolution, parseDueDate } from '../domain/resolution.ts';
import { actorLabel, type Command, type CoreDeps, isRefusal, type Refusal, run } from './core.ts';
import { PERMISSIONS, permits } from './permissions.ts';
import type { Publication } from './ports/delivery.ts';
import type { ProposalStateName } from './ports/store.ts';

export const MILESTONES_MAX = 20;
export const MILESTONE_TITLE_MAX = 80;

export type AssignResolutionInput = Command & {
  number: number;
  /** Name of the lead executing unit, as in the roster (`executor:NAME`). */
  lead: string;
  /** `YYYY-MM-DD` (end of that day, community time) or an ISO date-time. */
  due: string;
  /** Cooperating units, free names (`coop=A,B`). */
  coop?: string[] | undefined;
  milestones?: { title: string; due: string }[] | undefined;
};

export type AssignResolutionOutcome =
  | {
      kind: 'assigned';
      number: number;
      lead: string;
      coop: string[];
      dueAt: string;
      publish: Publication[];
    }
  | { kind: 'not_passed'; number: number; state: ProposalStateName }
  | { kind: 'already_assigned'; number: number }
  | { kind: 'unit_unknown'; name: string }
  | Refusal;

/** `/assign N lead=NAME due=DATE [coop=A,B]`: the committee turns a passed proposal into a resolution. */
export async function assignResolution(
  deps: CoreDeps,
  input: AssignResolutionInput,
): Promise<AssignResolutionOutcome> {
  const lead = input.lead.trim();
  if (lead === '') return { kind: 'invalid', field: 'lead', reason: 'empty' };
  const coop = [...new Set((input.coop ?? []).map((c) => c.trim()))].filter(
    (c) => c !== '' && c !== lead,
  );
  const milestoneInput = input.milestones ?? [];
  if (milestoneInput.length > MILESTONES_MAX) {
    return { kind: 'invalid', field: 'milestones', reason: `more than ${MILESTONES_MAX}` };
  }
  return run(deps, input, async (tx, now): Promise<AssignResolutionOutcome> => {
    const actor = await tx.actor(input.actor);
    if (isRefusal(actor)) return actor;
    if (!permits(actor, PERMISSIONS.assignResolution))
      return { kind: 'not_allowed', need: 'committee' };
    const timeZone = actor.community.timezone;
    const due = parseDueDate(input.due, timeZone, now);
    if (due.kind !== 'ok') return { kind: 'invalid', field: 'due', reason: due.kind };
    const milestones: { title: string; dueAt: string }[] = [];
    for (const [i, m] of milestoneInput.entries()) {
      const title = m.title.trim();
      if (title === '' || [...title].length > MILESTONE_TITLE_MAX) {
        const reason = title === '' ? 'empty' : `longer than ${MILESTONE_TITLE_MAX}`;
        return { kind: 'invalid', field: `milestones[${i}].title`, reason };
      }
      const at = parseDueDate(m.due, timeZone, now);
      if (at.kind !== 'ok') {
        return { kind: 'invalid', field: `milestones[${i}].due`, reason: at.kind };
      }
      milestones.push({ title, dueAt: at.dueAt.toISOString() });
    }
    const communityId = actor.community.id;
    // Locking the proposal serialises concurrent assigns of the same number.
    const p = await tx.proposal(communityId, input.number, 'update');
    if (!p) return { kind: 'proposal_unknown', number: input.number };
    if (p.state !== 'passed') return { kind: 'not_passed', number: p.number, state: p.state };
    if (await tx.resolution(communityId, p.number, 'none')) {
      return { kind: 'already_assigned', number: p.number };
    }
    const unit = await tx.executingUnitByName(communityId, lead);
    if (!unit) return { kind: 'unit_unknown', name: lead };
    const state = newResolution(due.dueAt);
    const id = deps.ids.next();
    await tx.insertResolution({
      id,
      proposalId: p.id,
      communityId,
      leadUnitId: unit.id,
      coopUnits: coop,
      dueAt: state.dueAt,
      milestones,
      state: state.state,
      progress: state.progressPercent,
      latestNote: null,
      escalationLevel: 0,
      assignedAt: now,
      doneAt: null,
      surveyClosesAt: null,
      evaluatedAt: null,
      satisfiedCount: null,
      answeredCount: null,
      flagged: false,
    });
    await tx.appendAudit({
      communityId,
      actor: actorLabel(actor),
      action: 'resolution.assigned',
      subject: `resolution:${id}`,
      payload: {
        number: p.number,
        proposalId: p.id,
        lead: unit.name,
        coop,
        dueAt: state.dueAt.toISOString(),
        milestones,
      },
      at: now,
    });
    return {
      kind: 'assigned',
      number: p.number,
      lead: unit.name,
      coop,
      dueAt: state.dueAt.toISOString(),
      publish: [{ kind: 'resolution_card', communityId, number: p.number }],
    };
  });
}
