/**
 * The deadlines a proposal (and its resolution) still has, derived from
 * committed state: what the workers' delayed jobs must match. Pure: the same
 * record, policy and `now` always give the same plan, with the same job ids,
 * so scheduling is idempotent and a moved deadline gets a new id (the old
 * job no longer matches the plan and is dropped).
 */
import { escalationLadder } from '../domain/escalation.ts';
import type { Policy } from '../domain/policy.ts';
import { nextLocalWeekdayTime } from '../domain/quiet-hours.ts';
import type { ProposalRecord, ResolutionRecord } from './ports/store.ts';

export type DeadlineType =
  | 'cosign_expiry'
  | 'vote_open'
  | 'vote_close'
  | 'vote_reminder'
  | 'due_reminder'
  | 'escalation'
  | 'survey_close'
  | 'digest';

/** Deadlines whose effect is a notice: each fires once per job id (recorded in NoticeSent). */
export const NOTICE_DEADLINES: ReadonlySet<DeadlineType> = new Set([
  'vote_reminder',
  'due_reminder',
  'escalation',
  'digest',
]);

export type Deadline = {
  type: DeadlineType;
  /** The proposal id (a resolution's deadlines belong to its proposal); the community id for the digest. */
  subjectId: string;
  communityId: string;
  /** The proposal/resolution number; null for the digest. */
  number: number | null;
  dueAt: Date;
  /** Reminder offset in ms before the deadline, or the escalation level; null otherwise. */
  detail: number | null;
  /** Deterministic, versioned: no `:`, never all digits. Also the notice's NoticeSent key. */
  jobId: string;
};

const VERSION = 'v1';

const TOKENS: Readonly<Record<DeadlineType, string>> = {
  cosign_expiry: 'expire',
  vote_open: 'open',
  vote_close: 'close',
  vote_reminder: 'vremind',
  due_reminder: 'dremind',
  escalation: 'level',
  survey_close: 'survey',
  digest: 'digest',
};

/**
 * The job id of a deadline, e.g. `v1-close-<proposalId>-<dueEpochMs>` or
 * `v1-level-<proposalId>-2-<dueEpochMs>`. Ids are UUIDs here; anything else
 * is refused so that an id can never carry a `:` (BullMQ's key separator).
 */
export function deadlineJobId(
  type: DeadlineType,
  subjectId: string,
  dueAt: Date,
  detail: number | null = null,
): string {
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(subjectId)) {
    throw new Error(`deadline subject id "${subjectId}" is not a safe job id part`);
  }
  const parts = [VERSION, TOKENS[type], subjectId];
  if (detail !== null) parts.push(String(detail));
  parts.push(String(dueAt.getTime()));
  return parts.join('-');
}

export type PlanProposal = Pick<
  ProposalRecord,
  'id' | 'communityId' | 'number' | 'state' | 'cosignDeadline' | 'votingOpensAt' | 'votingClosesAt'
>;
export type PlanResolution = Pick<
  ResolutionRecord,
  'state' | 'dueAt' | 'assignedAt' | 'surveyClosesAt'
>;

export type PlanInput = {
  proposal: PlanProposal;
  resolution: PlanResolution | null;
  policy: Pick<Policy, 'remindersBeforeDueMs' | 'escalationAfterDueMs'>;
  now: Date;
  /** Job ids of notices already sent: they are not pending any more. */
  sent?: ReadonlySet<string>;
};

/**
 * Reminders before `deadline` worth sending: those still ahead of `now`, and
 * of those already passed only the latest (one late reminder, not a burst);
 * none once the deadline itself has passed, none at or before `notBefore`.
 */
function pendingReminders(
  deadline: Date,
  offsets: readonly number[],
  notBefore: Date,
  now: Date,
): { at: Date; beforeMs: number }[] {
  if (now >= deadline) return [];
  const reminders = [...new Set(offsets)]
    .sort((a, b) => b - a)
    .map((beforeMs) => ({ at: new Date(deadline.getTime() - beforeMs), beforeMs }))
    .filter((r) => r.at > notBefore && r.at < deadline);
  const passed = reminders.filter((r) => r.at <= now);
  const ahead = reminders.filter((r) => r.at > now);
  const latestPassed = passed.at(-1);
  return latestPassed ? [latestPassed, ...ahead] : ahead;
}

/**
 * The pending deadlines of a proposal and its resolution at `now`, in time
 * order. A state without deadlines (on the agenda waiting for the committee,
 * or final) gives none; a passed deadline that has not fired yet is still
 * pending (due at once).
 */
export function deadlinePlan(input: PlanInput): Deadline[] {
  const { proposal: p, resolution: r, policy, now } = input;
  const plan: Deadline[] = [];
  const add = (type: DeadlineType, dueAt: Date, detail: number | null = null) =>
    plan.push({
      type,
      subjectId: p.id,
      communityId: p.communityId,
      number: p.number,
      dueAt,
      detail,
      jobId: deadlineJobId(type, p.id, dueAt, detail),
    });

  if (p.state === 'collecting') add('cosign_expiry', p.cosignDeadline);
  if (p.state === 'noticed' && p.votingOpensAt) add('vote_open', p.votingOpensAt);
  if (p.state === 'voting' && p.votingClosesAt) {
    add('vote_close', p.votingClosesAt);
    const opensAt = p.votingOpensAt ?? new Date(0);
    for (const reminder of pendingReminders(
      p.votingClosesAt,
      policy.remindersBeforeDueMs,
      opensAt,
      now,
    )) {
      add('vote_reminder', reminder.at, reminder.beforeMs);
    }
  }
  if (r && (r.state === 'assigned' || r.state === 'in_progress')) {
    for (const reminder of pendingReminders(
      r.dueAt,
      policy.remindersBeforeDueMs,
      r.assignedAt,
      now,
    )) {
      add('due_reminder', reminder.at, reminder.beforeMs);
    }
    for (const step of escalationLadder(r.dueAt, policy)) {
      if (step.kind === 'level') add('escalation', step.at, step.level);
    }
  }
  if (r && r.state === 'done' && r.surveyClosesAt) add('survey_close', r.surveyClosesAt);

  const sent = input.sent;
  return plan
    .filter((d) => !(sent && NOTICE_DEADLINES.has(d.type) && sent.has(d.jobId)))
    .sort((a, b) => a.dueAt.getTime() - b.dueAt.getTime());
}

/** A missed digest is still sent this long after its time (workers down over Monday 09:00). */
export const DIGEST_GRACE_MS = 24 * 3_600_000;

export type DigestPlanInput = {
  /** `createdAt`: no digest is planned at or before it. */
  community: { id: string; timezone: string; createdAt: Date };
  policy: Pick<Policy, 'digest'>;
  now: Date;
  sent?: ReadonlySet<string>;
};

/**
 * The weekly digest of a community: the next one at the policy's local
 * weekday and time, and the last one too while it is unsent and less than
 * {@link DIGEST_GRACE_MS} old. Only times after the community was created
 * count: the grace is for a digest the workers missed, not one that fell due
 * before there was anything to digest, so a community created after this
 * week's time gets its first digest next week.
 */
export function digestPlan(input: DigestPlanInput): Deadline[] {
  const { community, policy, now } = input;
  const { weekday, minuteOfDay } = policy.digest;
  const createdAt = community.createdAt;
  // A creation time ahead of `now` (clocks apart) still plans nothing before it.
  const from = new Date(Math.max(createdAt.getTime(), now.getTime()));
  const next = nextLocalWeekdayTime(from, weekday, minuteOfDay, community.timezone);
  const last = nextLocalWeekdayTime(
    new Date(now.getTime() - 7 * 86_400_000),
    weekday,
    minuteOfDay,
    community.timezone,
  );
  const times = [next];
  const missed = last <= now && now.getTime() - last.getTime() < DIGEST_GRACE_MS;
  if (missed && last > createdAt) times.unshift(last);
  return times
    .map((dueAt) => ({
      type: 'digest' as const,
      subjectId: community.id,
      communityId: community.id,
      number: null,
      dueAt,
      detail: null,
      jobId: deadlineJobId('digest', community.id, dueAt),
    }))
    .filter((d) => !input.sent?.has(d.jobId));
}
