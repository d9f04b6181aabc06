/**
 * What a deadline job does when it fires. Queue timing never decides an
 * outcome, PostgreSQL does: a state change (expiry, vote open/close, survey
 * close) goes through its use case, which re-reads the state under a lock
 * and does nothing when it has moved on; a notice first recomputes the
 * subject's plan and does nothing when its job id is no longer in it (moved,
 * work done, already sent).
 *
 * Notices (reminders, escalation levels, the digest) fire once per job id.
 * Order: enqueue the pushes first, then record the notice (NoticeSent, audit,
 * escalation level) in one transaction. A crash between the two leaves the
 * notice unrecorded, so the job (retried after the stall interval, or re-added
 * by the reconciler) enqueues again: the push requests carry deterministic
 * per-chat keys, which the push queue dedupes and records per chat, so nobody
 * gets it twice. The other order would lose the pushes of a crash after the
 * commit, because a recorded notice is never planned again.
 */

import { closeSurvey } from '../../src/app/close-survey.ts';
import type { CoreDeps } from '../../src/app/core.ts';
import { communityPolicy } from '../../src/app/core.ts';
import type { Deadline } from '../../src/app/deadline-plan.ts';
import { closeVote, expireProposal, openVote } from '../../src/app/deadlines.ts';
import { escalateResolution } from '../../src/app/escalate-resolution.ts';
import type { NoticeKind } from '../../src/app/notices.ts';
import type { ChatTarget } from '../../src/app/ports/delivery.ts';
import type { PushQueue } from '../../src/app/ports/queue.ts';
import type {
  DeadlineSubject,
  NoticeLedger,
  ScheduleReader,
} from '../../src/app/ports/schedule.ts';
import { recordNotice } from '../../src/app/record-notice.ts';
import { ladderAudience } from '../../src/domain/escalation.ts';
import type { NoticePush } from '../push/push-request.ts';
import { type DeadlineJob, noticePushKey } from '../queues.ts';
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

function notices(
  jobId: string,
  notice: NoticeKind,
  communityId: string,
  chats: readonly ChatTarget[],
  extra: { number?: number; detail?: number },
): NoticePush[] {
  return chats.map((chat) => ({
    kind: 'notice',
    key: noticePushKey(jobId, chat.platform, chat.chatId),
    notice,
    communityId,
    ...extra,
    platform: chat.platform,
    chatId: chat.chatId,
  }));
}

async function enqueue(deps: DeadlineDeps, pushes: NoticePush[]): Promise<number> {
  // Notices are never urgent: they wait out the community's quiet hours.
  if (pushes.length > 0) await deps.push.enqueue(pushes, { urgent: false });
  return pushes.length;
}

type Fired = { outcome: string; pushes: number };

async function fireNotice(
  deps: DeadlineDeps,
  jobId: string,
  d: Deadline,
  subject: DeadlineSubject | null,
): Promise<Fired> {
  const now = deps.core.clock.now();
  const communityId = d.communityId;
  const bindings = await deps.reader.bindings(communityId);
  const bound = bindings.map(({ platform, chatId }) => ({ platform, chatId }));
  if (d.type === 'digest') {
    // A chat bound after the digest's time was not there for it: its first is next week's.
    const before = bindings.filter((b) => b.boundAt <= d.dueAt);
    const pushes = await enqueue(deps, notices(jobId, 'digest', communityId, before, {}));
    const recorded = await recordNotice(
      { ledger: deps.ledger },
      {
        key: jobId,
        communityId,
        action: 'digest.sent',
        subject: `community:${communityId}`,
        payload: { chats: pushes, dueAt: d.dueAt.toISOString() },
        now,
      },
    );
    return { outcome: recorded.kind, pushes };
  }
  if (!subject || d.number === null) return { outcome: 'unknown', pushes: 0 };
  const number = d.number;
  const detail = d.detail ?? undefined;
  const extra = { number, ...(detail === undefined ? {} : { detail }) };
  const { proposal, resolution } = subject;

  if (d.type === 'vote_reminder') {
    const policy = communityPolicy(subject.community);
    const privately = await deps.reader.nonVoterChats(proposal.id, policy.voterUnit);
    const pushes = await enqueue(deps, [
      ...notices(jobId, 'vote_reminder', communityId, bound, extra),
      ...notices(jobId, 'vote_reminder_private', communityId, privately, extra),
    ]);
    const recorded = await recordNotice(
      { ledger: deps.ledger },
      {
        key: jobId,
        communityId,
        action: 'vote.reminded',
        subject: `proposal:${proposal.id}`,
        // Counts only: who has not voted is nobody else's business.
        payload: { beforeMs: d.detail, groupChats: bound.length, privateChats: privately.length },
        now,
      },
    );
    return { outcome: recorded.kind, pushes };
  }

  if (!resolution) return { outcome: 'unknown', pushes: 0 };
  if (d.type === 'due_reminder') {
    const lead = await deps.reader.audienceChats(communityId, resolution.leadUnitId, ['lead_unit']);
    const pushes = await enqueue(deps, [
      ...notices(jobId, 'due_reminder', communityId, bound, extra),
      ...notices(jobId, 'due_reminder', communityId, lead, extra),
    ]);
    const recorded = await recordNotice(
      { ledger: deps.ledger },
      {
        key: jobId,
        communityId,
        action: 'resolution.reminded',
        subject: `resolution:${resolution.id}`,
        payload: { beforeMs: d.detail, groupChats: bound.length, privateChats: lead.length },
        now,
      },
    );
    return { outcome: recorded.kind, pushes };
  }

  // Escalation: the people of this level, in their private chats; the card shows the badge.
  const level = d.detail;
  if (level !== 1 && level !== 2 && level !== 3) return { outcome: 'unknown', pushes: 0 };
  const audience = ladderAudience({ kind: 'level', level });
  const people = await deps.reader.audienceChats(communityId, resolution.leadUnitId, audience);
  const pushes = await enqueue(deps, notices(jobId, 'escalation', communityId, people, extra));
  const escalated = await escalateResolution(
    { ids: deps.core.ids, ledger: deps.ledger },
    {
      key: jobId,
      proposalId: proposal.id,
      communityId,
      number,
      level,
      recipients: people.length,
      now,
    },
  );
  return { outcome: escalated.kind, pushes };
}

type Transition = { kind: string; reason?: string };

/** A state change by its use case, which re-reads the state under a lock and refuses twice. */
async function transition(deps: DeadlineDeps, job: DeadlineJob): Promise<Transition> {
  const target = { communityId: job.communityId, number: job.number ?? 0 };
  switch (job.type) {
    case 'cosign_expiry':
      return expireProposal(deps.core, target);
    case 'vote_open':
      return openVote(deps.core, target);
    case 'vote_close':
      return deps.closes ? deps.closes.close(target) : closeVote(deps.core, target);
    default:
      return closeSurvey(deps.core, target);
  }
}

const TRANSITIONS: ReadonlySet<DeadlineJob['type']> = new Set([
  'cosign_expiry',
  'vote_open',
  'vote_close',
  'survey_close',
]);

/** Runs one deadline job (already parsed); idempotent, see the module comment. */
export async function processDeadline(
  deps: DeadlineDeps,
  job: DeadlineJob,
  jobId: string,
): Promise<DeadlineResult> {
  if (TRANSITIONS.has(job.type)) {
    // Read before the transition, which reads the clock again later: "not yet" at a time
    // at or past this job's own means the deadline was moved later. Read after it, the
    // clock could cross the due time in between and a deadline merely reached a moment
    // early would be taken for moved and left to the next reconcile pass.
    const checkedAtMs = deps.core.clock.now().getTime();
    if (checkedAtMs >= job.dueAtMs) await deps.hooks?.beforeEffect?.(job, jobId);
    const outcome = await transition(deps, job);
    if (outcome.kind === 'not_yet' || outcome.reason === 'not_yet') {
      return checkedAtMs < job.dueAtMs
        ? { kind: 'early', dueAtMs: job.dueAtMs }
        : { kind: 'superseded' };
    }
    await deps.hooks?.afterEffect?.(job, jobId);
    return { kind: 'fired', outcome: outcome.kind, pushes: 0 };
  }
  const found = await current(deps, job, jobId);
  if (!found) return { kind: 'superseded' };
  const { deadline, subject } = found;
  if (deps.core.clock.now() < deadline.dueAt) {
    return { kind: 'early', dueAtMs: deadline.dueAt.getTime() };
  }
  await deps.hooks?.beforeEffect?.(job, jobId);
  const fired = await fireNotice(deps, jobId, deadline, subject);
  if (deadline.type === 'digest') {
    // The next week's digest, now that this one is recorded.
    const community = await deps.reader.community(deadline.communityId);
    if (community) {
      await deps.scheduler.sync(community.id, await deps.scheduler.digestPlanFor(community));
    }
  }
  await deps.hooks?.afterEffect?.(job, jobId);
  return { kind: 'fired', ...fired };
}
