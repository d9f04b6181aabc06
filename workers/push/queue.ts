/**
 * The producer side of the push queue: turns push requests into delayed
 * BullMQ jobs with deterministic ids. Card pushes coalesce per bucket;
 * non-urgent pushes wait out the community's quiet hours.
 */
import { type ConnectionOptions, type JobsOptions, Queue } from 'bullmq';
import { communityPolicy } from '../../src/app/core.ts';
import type { Clock, CommunityRecord } from '../../src/app/ports.ts';
import { deliveryTime } from '../../src/domain/quiet-hours.ts';
import { cardJobId, DEFAULT_COALESCE_MS, noticeJobId, PUSH_QUEUE } from './job-ids.ts';
import { type PushQueue as PushQueuePort, PushRequest } from './push-request.ts';

/**
 * Runs a bucket's job this long after the bucket ends, so an enqueue that
 * read the clock just before the end still lands before the job renders.
 */
const BUCKET_GRACE_MS = 250;

export type PushQueueOptions = {
  connection: ConnectionOptions;
  /** BullMQ key prefix (tests use a unique one); default `bull`. */
  prefix?: string;
  clock: Clock;
  /** Reads a community's timezone and policy (quiet hours) for non-urgent pushes. */
  communities: { get(id: string): Promise<CommunityRecord | undefined> };
  /** Width of a card's coalescing bucket; default 3 s. */
  coalesceMs?: number;
  /** Tries for a push whose platform call fails (network, 5xx); default 8. */
  attempts?: number;
  /** First retry delay, doubling each try; default 1 s. */
  backoffMs?: number;
};

export type PushQueue = PushQueuePort & {
  /** The BullMQ queue, for inspection (tests, metrics). */
  readonly queue: Queue;
  close(): Promise<void>;
};

export function createPushQueue(options: PushQueueOptions): PushQueue {
  const coalesceMs = options.coalesceMs ?? DEFAULT_COALESCE_MS;
  const queue = new Queue(PUSH_QUEUE, {
    connection: options.connection,
    ...(options.prefix ? { prefix: options.prefix } : {}),
  });
  const jobDefaults: JobsOptions = {
    attempts: options.attempts ?? 8,
    backoff: { type: 'exponential', delay: options.backoffMs ?? 1_000 },
    // Removed at once, so a late enqueue into a finished bucket makes a new job instead of
    // being ignored; notices are deduplicated by NoticeSent in PostgreSQL, not by kept jobs.
    removeOnComplete: true,
    removeOnFail: { count: 1_000 },
  };

  /** Epoch ms at which a push of this community may go out, per urgency. */
  async function releaseTimes(
    requests: readonly PushRequest[],
    now: Date,
  ): Promise<Map<string, number>> {
    const times = new Map<string, number>();
    for (const communityId of new Set(requests.map((r) => r.communityId))) {
      const community = await options.communities.get(communityId);
      const quietHours = community ? communityPolicy(community).quietHours : null;
      const at = deliveryTime(now, quietHours, community?.timezone ?? 'UTC');
      times.set(communityId, at.getTime());
    }
    return times;
  }

  return {
    queue,
    async enqueue(requests, { urgent }) {
      if (requests.length === 0) return;
      const parsed = requests.map((r) => PushRequest.parse(r));
      const now = options.clock.now();
      const nowMs = now.getTime();
      const release = urgent ? new Map<string, number>() : await releaseTimes(parsed, now);
      const jobs = parsed.map((request) => {
        const at = release.get(request.communityId) ?? nowMs;
        const quiet = at > nowMs;
        let jobId: string;
        let delay: number;
        if (request.kind === 'notice') {
          jobId = noticeJobId(request);
          delay = at - nowMs;
        } else if (quiet) {
          // Every change held back by the same quiet window collapses into one job.
          jobId = cardJobId(request, Math.floor(at / coalesceMs), true);
          delay = at - nowMs;
        } else {
          const bucket = Math.floor(nowMs / coalesceMs);
          jobId = cardJobId(request, bucket, false);
          delay = (bucket + 1) * coalesceMs + BUCKET_GRACE_MS - nowMs;
        }
        return {
          name: request.kind,
          data: request,
          opts: { ...jobDefaults, jobId, delay: Math.max(0, delay) },
        };
      });
      await queue.addBulk(jobs);
    },
    close: () => queue.close(),
  };
}
