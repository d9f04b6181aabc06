/**
 * Makes BullMQ's delayed jobs match the deadlines derived from committed
 * PostgreSQL state. Adding a job whose id exists is a no-op in BullMQ, and a
 * moved deadline has a new id, so `sync` adds the plan's jobs and removes the
 * subject's other jobs: only the new time fires. The subject's job ids are
 * kept in a Redis set so the old ones can be found; should a removal be
 * missed (a crash, a job running at that moment), the processor still finds
 * its id absent from the plan and does nothing.
 *
 * Only deadlines due within the horizon (48 h by default) become jobs: Redis
 * holds what is near, PostgreSQL the rest, and the reconciler's periodic pass
 * adds each deadline as it comes into range (workers/deadlines/reconciler.ts).
 */
import type { Queue } from 'bullmq';
import type { Redis } from 'ioredis';
import { communityPolicy } from '../../src/app/core.ts';
import {
  type Deadline,
  deadlinePlan,
  digestPlan,
  NOTICE_DEADLINES,
} from '../../src/app/deadline-plan.ts';
import type { Clock } from '../../src/app/ports/clock.ts';
import type {
  DeadlineSubject,
  ScheduledCommunity,
  ScheduleReader,
} from '../../src/app/ports/schedule.ts';
import type { CommunityRecord } from '../../src/app/ports/store.ts';
import type { Policy } from '../../src/domain/policy.ts';
import { type DeadlineJob, deadlineJob } from '../queues.ts';

/** Retries for a deadline job that throws (database down...). A failed job is removed, so the reconciler re-adds it. */
export const DEADLINE_JOB_OPTIONS = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 1000 },
  // Kept an hour, so a re-sync in that time is a no-op rather than a second run.
  removeOnComplete: { age: 3600, count: 50_000 },
  removeOnFail: true,
} as const;

/**
 * A deadline job is woken this long before its time and waits the rest in the
 * worker (workers/deadlines/worker.ts): Redis ends a blocked wait on its
 * timer tick (`hz` 10: up to 100 ms late), so a job woken at its time fired
 * 0-100 ms late.
 */
export const DEADLINE_EARLY_WAKE_MS = 150;

/** An index entry outlives its last deadline by this much. */
const INDEX_TTL_MS = 7 * 86_400_000;

/** How far ahead deadlines are kept in Redis unless told otherwise. */
export const DEFAULT_DEADLINE_HORIZON_MS = 48 * 3_600_000;

export type SubjectPlan = { subjectId: string; plan: readonly Deadline[] };

export type DeadlineScheduler = {
  /**
   * Makes the jobs of `subjectId` (a proposal, or a community for its digest)
   * exactly the deadlines of `plan` due within the horizon; the later ones are
   * left to the reconciler's pass.
   */
  sync(subjectId: string, plan: readonly Deadline[]): Promise<void>;
  /** {@link sync} for many subjects at once. */
  syncMany(entries: readonly SubjectPlan[]): Promise<void>;
  /**
   * Adds the jobs of the plans' deadlines due within the horizon and removes
   * nothing; the number of such deadlines. The reconciler's pass uses it: its
   * plans may be older than a sync the relay made meanwhile, and a stale plan
   * must not remove the newer jobs (a stale job it adds only finds itself
   * superseded when it fires).
   */
  addMany(entries: readonly SubjectPlan[]): Promise<number>;
  /** The latest due time a job may have now: the clock plus the horizon. */
  horizonEnd(): Date;
  /** Marks in Redis that the horizon is being rebuilt: a pass starts with it. */
  markHorizon(): Promise<void>;
  /**
   * False once the mark is gone: Redis was flushed or restarted empty since
   * the last pass began, so the jobs may be gone too.
   */
  horizonIntact(): Promise<boolean>;
  /** The pending deadlines of a subject, as PostgreSQL has them now (notices already sent left out). */
  planFor(subject: DeadlineSubject): Promise<Deadline[]>;
  /** The digests of `community` still to send; none falls at or before its `createdAt`. */
  digestPlanFor(community: ScheduledCommunity): Promise<Deadline[]>;
  /** {@link planFor} for many subjects, with one read of the notices already sent. */
  plansFor(subjects: readonly DeadlineSubject[]): Promise<SubjectPlan[]>;
  /** {@link digestPlanFor} for many communities, with one read of the digests already sent. */
  digestPlansFor(communities: readonly ScheduledCommunity[]): Promise<SubjectPlan[]>;
};

export function createDeadlineScheduler(deps: {
  queue: Queue<DeadlineJob>;
  redis: Redis;
  prefix: string;
  reader: ScheduleReader;
  clock: Clock;
  /** Deadlines due further ahead than this are not jobs yet. Default {@link DEFAULT_DEADLINE_HORIZON_MS}. */
  horizonMs?: number;
}): DeadlineScheduler {
  const horizonMs = deps.horizonMs ?? DEFAULT_DEADLINE_HORIZON_MS;
  const indexKey = (subjectId: string) => `${deps.prefix}:yishi-deadline-index:${subjectId}`;
  const markKey = `${deps.prefix}:yishi-deadline-horizon`;
  // A page of subjects shares one record per community: its policy (a zod parse) is
  // resolved once per record, not once per subject (a rebuild plans 100,000 subjects).
  const policies = new WeakMap<CommunityRecord, Policy>();
  const policyOf = (community: CommunityRecord): Policy => {
    let policy = policies.get(community);
    if (!policy) {
      policy = communityPolicy(community);
      policies.set(community, policy);
    }
    return policy;
  };

  async function withSent(candidates: Deadline[]): Promise<ReadonlySet<string>> {
    const keys = candidates.filter((d) => NOTICE_DEADLINES.has(d.type)).map((d) => d.jobId);
    return deps.reader.sentNotices(keys);
  }

  /**
   * The plans without the notices already sent, for many subjects at once: a
   * plan computed with `sent` is the plan computed without it, less the
   * notices in `sent` (deadlinePlan and digestPlan filter last), so one read
   * serves a page instead of one per subject.
   */
  async function unsent(candidates: SubjectPlan[]): Promise<SubjectPlan[]> {
    const sent = await withSent(candidates.flatMap((c) => c.plan));
    if (sent.size === 0) return candidates;
    return candidates.map(({ subjectId, plan }) => ({
      subjectId,
      plan: plan.filter((d) => !(NOTICE_DEADLINES.has(d.type) && sent.has(d.jobId))),
    }));
  }

  /**
   * One round trip per step for the whole batch: the reconciler syncs pages of
   * subjects. `removing` false only adds (see {@link DeadlineScheduler.addMany}).
   */
  async function write(entries: readonly SubjectPlan[], removing: boolean): Promise<number> {
    if (entries.length === 0) return 0;
    const now = deps.clock.now().getTime();
    // Read once per batch: a deadline that enters the horizon while the batch is written is
    // the next pass's (a pass runs well within the horizon; see workers/index.ts).
    const until = now + horizonMs;
    const nearOf = entries.map(({ plan }) => plan.filter((d) => d.dueAt.getTime() <= until));
    const jobs = nearOf.flat();
    const read = deps.redis.pipeline();
    for (const { subjectId } of entries) read.smembers(indexKey(subjectId));
    // Which jobs exist already: adding one is a no-op in BullMQ, but a script run per job,
    // and a periodic pass finds nearly all of its horizon there.
    for (const d of jobs) read.exists(deps.queue.toKey(d.jobId));
    const replies = (await read.exec()) ?? [];
    const known = replies.slice(0, entries.length);
    const existing = replies.slice(entries.length);
    const tx = deps.redis.multi();
    const stale: string[] = [];
    entries.forEach(({ subjectId, plan }, i) => {
      const key = indexKey(subjectId);
      const near = nearOf[i] ?? [];
      const planned = new Map(plan.map((d) => [d.jobId, d.dueAt.getTime()]));
      const ids = (known[i]?.[1] ?? []) as string[];
      // Listed ids still in the plan stay listed (a job beyond the horizon is only there if
      // a longer horizon added it; it is still right).
      const kept = ids.filter((id) => planned.has(id));
      const gone = removing ? ids.filter((id) => !planned.has(id)) : [];
      stale.push(...gone);
      if (near.length === 0 && kept.length === 0) {
        // Nothing of this subject is in Redis any more (all it listed is gone).
        if (gone.length > 0) tx.del(key);
        return;
      }
      if (gone.length > 0) tx.srem(key, ...gone);
      // The index names a job before the job exists, so no job is ever unlisted.
      if (near.length > 0) tx.sadd(key, ...near.map((d) => d.jobId));
      const listedDue = Math.max(
        ...near.map((d) => d.dueAt.getTime()),
        ...kept.map((id) => planned.get(id) ?? 0),
      );
      // At least the horizon: a concurrent writer's jobs listed here are due within it.
      tx.pexpire(key, Math.max(listedDue - now, horizonMs) + INDEX_TTL_MS);
    });
    await tx.exec();
    // Only jobs still ahead are removed: one whose time has come has run (its record is kept
    // for a while) or is about to, and then finds itself absent from the plan.
    const ahead = stale.filter((id) => Number(id.slice(id.lastIndexOf('-') + 1)) > now);
    await Promise.all(ahead.map((id) => deps.queue.remove(id)));
    // One that goes between the check and here (a failed job is removed) comes back next pass.
    const missing = jobs.filter((_, j) => existing[j]?.[1] !== 1);
    if (missing.length === 0) return jobs.length;
    // BullMQ dates a delay from when the job is added: read the clock again, or every
    // deadline fires late by the round trips above (tens of ms, more on a cold start).
    const addedAt = deps.clock.now().getTime();
    await deps.queue.addBulk(
      missing.map((d) => ({
        name: d.type,
        data: deadlineJob(d),
        opts: {
          ...DEADLINE_JOB_OPTIONS,
          jobId: d.jobId,
          delay: Math.max(0, d.dueAt.getTime() - addedAt - DEADLINE_EARLY_WAKE_MS),
        },
      })),
    );
    return jobs.length;
  }

  return {
    async planFor(subject) {
      const input = {
        proposal: subject.proposal,
        resolution: subject.resolution,
        policy: policyOf(subject.community),
        now: deps.clock.now(),
      };
      const sent = await withSent(deadlinePlan(input));
      return deadlinePlan({ ...input, sent });
    },

    async digestPlanFor(community) {
      const input = { community, policy: policyOf(community), now: deps.clock.now() };
      const sent = await withSent(digestPlan(input));
      return digestPlan({ ...input, sent });
    },

    plansFor(subjects) {
      const now = deps.clock.now();
      return unsent(
        subjects.map((subject) => ({
          subjectId: subject.proposal.id,
          plan: deadlinePlan({
            proposal: subject.proposal,
            resolution: subject.resolution,
            policy: policyOf(subject.community),
            now,
          }),
        })),
      );
    },

    digestPlansFor(communities) {
      const now = deps.clock.now();
      return unsent(
        communities.map((community) => ({
          subjectId: community.id,
          plan: digestPlan({ community, policy: policyOf(community), now }),
        })),
      );
    },

    sync: async (subjectId, plan) => {
      await write([{ subjectId, plan }], true);
    },
    syncMany: async (entries) => {
      await write(entries, true);
    },
    addMany: (entries) => write(entries, false),
    horizonEnd: () => new Date(deps.clock.now().getTime() + horizonMs),
    async markHorizon() {
      await deps.redis.set(markKey, '1');
    },
    horizonIntact: async () => (await deps.redis.exists(markKey)) === 1,
  };
}
