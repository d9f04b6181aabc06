/**
 * Schedules the deadlines of seeded proposals through the product's own
 * scheduler (`DeadlineScheduler.sync` with the plan `deadlinePlan` derives),
 * from the seed's arithmetic instead of reading each proposal back: the same
 * Redis jobs the reconciler would create, without its database pass (which
 * the recovery scenario measures on its own).
 */
import { deadlinePlan, type PlanProposal } from '../../src/app/deadline-plan.ts';
import { DEFAULT_POLICY } from '../../src/domain/policy.ts';
import type { DeadlineScheduler } from '../../workers/deadlines/scheduler.ts';
import { type CommunitySet, type ProposalSpec, proposalId } from './seed.ts';

/** The seeded proposals, as `seedProposals` wrote them (integer `stepMs` keeps times exact). */
export function* plannedProposals(set: CommunitySet, spec: ProposalSpec): Generator<PlanProposal> {
  if (!Number.isInteger(spec.stepMs)) throw new Error('stepMs must be whole milliseconds');
  const votingMs = spec.votingMs ?? 3 * 86_400_000;
  for (let c = 0; c < set.count; c++) {
    for (let n = 1; n <= spec.perCommunity; n++) {
      const k = c * spec.perCommunity + n - 1;
      const due = new Date(spec.first.getTime() + k * spec.stepMs);
      yield {
        id: proposalId(set, c, n),
        communityId: set.communityId(c),
        number: n,
        state: spec.state,
        cosignDeadline: due,
        votingOpensAt:
          spec.state === 'noticed'
            ? due
            : spec.state === 'voting'
              ? new Date(due.getTime() - votingMs)
              : null,
        votingClosesAt: spec.state === 'voting' ? due : null,
      };
    }
  }
}

/** Syncs every planned proposal's deadlines in batches of `batch` (`syncMany`); returns the jobs scheduled. */
export async function scheduleDirectly(
  scheduler: DeadlineScheduler,
  proposals: Iterable<PlanProposal>,
  options: { batch?: number; parallel?: number } = {},
): Promise<number> {
  const size = options.batch ?? 500;
  const parallel = options.parallel ?? 4;
  const now = new Date();
  let jobs = 0;
  let batch: { subjectId: string; plan: ReturnType<typeof deadlinePlan> }[] = [];
  let running: Promise<void>[] = [];
  for (const proposal of proposals) {
    const plan = deadlinePlan({ proposal, resolution: null, policy: DEFAULT_POLICY, now });
    jobs += plan.length;
    batch.push({ subjectId: proposal.id, plan });
    if (batch.length >= size) {
      running.push(scheduler.syncMany(batch));
      batch = [];
      if (running.length >= parallel) {
        await Promise.all(running);
        running = [];
      }
    }
  }
  running.push(scheduler.syncMany(batch));
  await Promise.all(running);
  return jobs;
}
