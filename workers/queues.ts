/**
 * Queue contracts shared by producers and processors: queue names, job
 * payloads (zod, ids only: no names, phone numbers or message text) and the
 * deterministic, versioned job ids (no `:`, never all digits) that make
 * scheduling idempotent.
 */
import { z } from 'zod';
import { type Deadline, type DeadlineType, deadlineJobId } from '../src/app/deadline-plan.ts';

export { deadlineJobId };

/** The delayed jobs that fire deadlines: votes, expiries, reminders, the ladder, the digest. */
export const DEADLINES_QUEUE = 'yishi-deadlines';

export const DEADLINE_TYPES = [
  'cosign_expiry',
  'vote_open',
  'vote_close',
  'vote_reminder',
  'due_reminder',
  'escalation',
  'survey_close',
  'digest',
] as const satisfies readonly DeadlineType[];

const id = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/);

/** A deadline job's data: which subject, which deadline. Everything else is read from PostgreSQL. */
export const DeadlineJobSchema = z.object({
  type: z.enum(DEADLINE_TYPES),
  /** The proposal id, or the community id for the digest. */
  subjectId: id,
  communityId: id,
  number: z.number().int().positive().nullable(),
  /** The deadline (epoch ms); also part of the job id. */
  dueAtMs: z.number().int().nonnegative(),
  /** Reminder offset (ms) or escalation level; null otherwise. */
  detail: z.number().int().nullable(),
});
export type DeadlineJob = z.infer<typeof DeadlineJobSchema>;

export function deadlineJob(d: Deadline): DeadlineJob {
  return {
    type: d.type,
    subjectId: d.subjectId,
    communityId: d.communityId,
    number: d.number,
    dueAtMs: d.dueAt.getTime(),
    detail: d.detail,
  };
}

/** The job id of a parsed job: the same builder the plan used. */
export function jobIdOf(job: DeadlineJob): string {
  return deadlineJobId(job.type, job.subjectId, new Date(job.dueAtMs), job.detail);
}
