/**
 * What a deadline job does when it fires. Queue timing never decides an
 * outcome, PostgreSQL does: a state change (expiry, vote open/close, survey
 * close) goes through its use case, which re-reads the state under a lock
 * and does nothing when it has moved on; a notice first recomputes the
 * subject's plan and does nothing when its job id is no longer in it (moved,
 * work done, already sent), then goes through sendNotice (src/app), which
 * decides who hears of it and records it once.
 */

import { closeSurvey } from '../../src/app/close-survey.ts';
import type { CoreDeps } from '../../src/app/core.ts';
import type { Deadline } from '../../src/app/deadline-plan.ts';
import {
  type CloseVoteOutcome,
  closeVote,
  type ExpireOutcome,
  expireProposal,
  type OpenVoteOutcome,
  openVote,
} from '../../src/app/deadlines.ts';
import type { PushQueue } from '../../src/app/ports/queue.ts';
import type {
  DeadlineSubject,
  NoticeLedger,
  ScheduleReader,
} from '../../src/app/ports/schedule.ts';
import { sendNotice } from '../../src/app/send-notice.ts';
import type { DeadlineJob } from '../queues.ts';
import type { CloseBatcher } from './close-batcher.ts';
import type { WorkerLog } from './log.ts';
import type { DeadlineScheduler } from './scheduler.ts';

export type DeadlineHooks = {
  /** Runs when a due deadline is about to take effect. Tests stop a worker here. */
  beforeEffect?: (job: DeadlineJob, jobId: string) => Promise<void>;
  /**
   * Runs once a deadline's effect is committed (and its pushes enqueued),
   * before the job completes. Tests stop a worker here to crash it mid-job.
   */
  afterEffect?: (job: DeadlineJob, jobId: string) => Promise<void>;
};

export type DeadlineDeps = {
  core: CoreDeps;
  reader: ScheduleReader;
  ledger: NoticeLedger;
  push: PushQueue;
  scheduler: DeadlineScheduler;
  log: WorkerLog;
  hooks?: DeadlineHooks | undefined;
  /** Closes votes in batches with the other closes running now; absent, each closes alone. */
  closes?: CloseBatcher | undefined;
};

export type DeadlineResult =
  /** No longer in the plan: moved, finished, or already sent. Nothing done. */
  | { kind: 'superseded' }
  /** Fired before its time (clock skew): run it again at `dueAtMs`. */
  | { kind: 'early'; dueAtMs: number }
  | { kind: 'fired'; outcome: string; pushes: number };

type Current = { deadline: Deadline; subject: DeadlineSubject | null };

async function current(
  deps: DeadlineDeps,
  job: DeadlineJob,
  jobId: string,
): Promise<Current | undefined> {
  if (job.type === 'digest') {
    const community = await deps.reader.community(job.communityId);
    if (!community) return undefined;
    const plan = await deps.scheduler.digestPlanFor(community);
    const deadline = plan.find((d) => d.jobId === jobId);
    return deadline ? { deadline, subject: null } : undefined;
  }
  const subject = await deps.reader.subjectById(job.subjectId);
  if (!subject) return undefined;
  const deadline = (await deps.scheduler.planFor(subject)).find((d) => d.jobId === jobId);
  return deadline ? { deadline, subject } : undefined;
}

type TransitionType = 'cosign_expiry' | 'vote_open' | 'vote_close' | 'survey_close';

/** What a state change said, reduced to what the worker acts on: done, or not yet due. */
type Transition = { kind: 'done'; outcome: string } | { kind: 'not_yet' };

/** A state change by its use case, which re-reads the state under a lock and refuses twice. */
async function transition(
  deps: DeadlineDeps,
  job: DeadlineJob & { type: TransitionType },
): Promise<Transition> {
  const target = { communityId: job.communityId, number: job.number ?? 0 };
  const type = job.type;
  switch (type) {
    case 'cosign_expiry':
      return fromDeadline(await expireProposal(deps.core, target));
    case 'vote_open':
      return fromDeadline(await openVote(deps.core, target));
    case 'vote_close': {
      if (!deps.closes) return fromDeadline(await closeVote(deps.core, target));
      const closed = await deps.closes.close(target);
      // The first close of a storm closes the rest of it (workers/deadlines/close-batcher.ts).
      if (closed.kind === 'closed') deps.closes.sweep();
      return fromDeadline(closed);
    }
    case 'survey_close': {
      const closed = await closeSurvey(deps.core, target);
      return closed.kind === 'not_yet'
        ? { kind: 'not_yet' }
        : { kind: 'done', outcome: closed.kind };
    }
    default: {
      const unknown: never = type;
      throw new Error(`unknown deadline job type: ${String(unknown)}`);
    }
  }
}

/** The proposal transitions refuse with `unchanged` and a reason; `not_yet` means not due. */
function fromDeadline(outcome: ExpireOutcome | OpenVoteOutcome | CloseVoteOutcome): Transition {
  if (outcome.kind === 'unchanged' && outcome.reason === 'not_yet') return { kind: 'not_yet' };
  return { kind: 'done', outcome: outcome.kind };
}

const isTransition = (job: DeadlineJob): job is DeadlineJob & { type: TransitionType } => {
  const type = job.type;
  switch (type) {
    case 'cosign_expiry':
    case 'vote_open':
    case 'vote_close':
    case 'survey_close':
      return true;
    case 'vote_reminder':
    case 'due_reminder':
    case 'escalation':
    case 'digest':
      return false;
    default: {
      // A type this worker does not know must fail the job, never pass for another.
      const unknown: never = type;
      throw new Error(`unknown deadline job type: ${String(unknown)}`);
    }
  }
};

/** Runs one deadline job (already parsed); idempotent, see the module comment. */
export async function processDeadline(
  deps: DeadlineDeps,
  job: DeadlineJob,
  jobId: string,
): Promise<DeadlineResult> {
  if (isTransition(job)) {
    // Read before the transition, which reads the clock again later: "not yet" at a time
    // at or past this job's own means the deadline was moved later. Read after it, the
    // clock could cross the due time in between and a deadline merely reached a moment
    // early would be taken for moved and left to the next reconcile pass.
    const checkedAtMs = deps.core.clock.now().getTime();
    if (checkedAtMs >= job.dueAtMs) await deps.hooks?.beforeEffect?.(job, jobId);
    const outcome = await transition(deps, job);
    if (outcome.kind === 'not_yet') {
      return checkedAtMs < job.dueAtMs
        ? { kind: 'early', dueAtMs: job.dueAtMs }
        : { kind: 'superseded' };
    }
    await deps.hooks?.afterEffect?.(job, jobId);
    return { kind: 'fired', outcome: outcome.outcome, pushes: 0 };
  }
  const found = await current(deps, job, jobId);
  if (!found) return { kind: 'superseded' };
  const { deadline, subject } = found;
  if (deps.core.clock.now() < deadline.dueAt) {
    return { kind: 'early', dueAtMs: deadline.dueAt.getTime() };
  }
  await deps.hooks?.beforeEffect?.(job, jobId);
  const sent = await sendNotice(
    {
      clock: deps.core.clock,
      ids: deps.core.ids,
      reader: deps.reader,
      ledger: deps.ledger,
      push: deps.push,
    },
    deadline,
    subject,
  );
  if (deadline.type === 'digest') {
    // The next week's digest, now that this one is recorded.
    const community = await deps.reader.community(deadline.communityId);
    if (community) {
      await deps.scheduler.sync(community.id, await deps.scheduler.digestPlanFor(community));
    }
  }
  await deps.hooks?.afterEffect?.(job, jobId);
  return sent.kind === 'sent'
    ? { kind: 'fired', outcome: sent.recorded.kind, pushes: sent.pushes }
    : { kind: 'fired', outcome: sent.reason, pushes: 0 };
}
