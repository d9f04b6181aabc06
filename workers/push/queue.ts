/**
 * The producer side of the push queue: turns push requests into delayed
 * BullMQ jobs with deterministic ids. A card's first push to a chat (a new
 * card there: a proposal, a vote opening, a result) runs at once; later
 * pushes of it are edits and coalesce per bucket. Non-urgent pushes wait out
 * the community's quiet hours.
 *
 * "First" is decided in Redis, atomically per card and chat (SET NX), so two
 * producers never both take a push for the first. Being wrong costs time,
 * never a second message: the worker posts a card only when PostgreSQL has no
 * message of it in the chat (CardMessage), under the card's lock, and edits
 * it otherwise. A first push taken for an edit (its mark was set by a try that
 * crashed before queueing) waits for its bucket; an edit taken for a first
 * push (its mark lapsed) goes out at once.
 */
import { type ConnectionOptions, type JobsOptions, Queue } from 'bullmq';
import { communityPolicy } from '../../src/app/core.ts';
import type { Clock } from '../../src/app/ports/clock.ts';
import type { PushQueue as PushQueuePort } from '../../src/app/ports/queue.ts';
import type { CommunityRecord } from '../../src/app/ports/store.ts';
import { deliveryTime } from '../../src/domain/quiet-hours.ts';
import {
  cardJobId,
  cardKeyOf,
  cardPushedKey,
  DEFAULT_COALESCE_MS,
  newCardJobId,
  noticeJobId,
  PUSH_QUEUE,
} from './job-ids.ts';
import { type CardPush, PushRequest } from './push-request.ts';

/**
 * Runs a bucket's job this long after the bucket ends, so an enqueue that
 * read the clock just before the end still lands before the job renders.
 */
const BUCKET_GRACE_MS = 250;

/**
 * A card pushed to a chat is remembered as shown there this long after its
 * last push: its pushes meanwhile are edits and coalesce. After a longer
 * silence the next push goes out at once (one edit, far within the limits).
 */
const PUSHED_MEMORY_MS = 24 * 3_600_000;

// Marks each card (KEYS) as pushed for ARGV[1] ms; per key 1 if it was not marked (the
// card's first push), 0 if it was (the mark's life is extended).
const MARK_PUSHED = `
local first = {}
for i, key in ipairs(KEYS) do
  if redis.call('SET', key, '1', 'PX', ARGV[1], 'NX') then
    first[i] = 1
  else
    redis.call('PEXPIRE', key, ARGV[1])
    first[i] = 0
  end
end
return first`;

/** Cards marked per script call: one call per fan-out, short enough not to hold Redis up. */
const MARKS_PER_CALL = 1_000;

/**
 * Jobs per addBulk after the first. A fan-out to 1,000 chats is added in
 * parts: the push worker starts on the first part while the rest go in
 * (one addBulk of 2,400 jobs took 0.5-0.9 s here before any could run).
 */
const JOBS_PER_ADD = 500;
/** The first part is small: the platforms take ~30 messages a second anyway. */
const FIRST_ADD = 60;

export type PushQueueOptions = {
  connection: ConnectionOptions;
  /** BullMQ key prefix (tests use a unique one); default `bull`. */
  prefix?: string;
  clock: Clock;
  /**
   * Reads a community's timezone and policy (quiet hours) for non-urgent
   * pushes, unless the caller passed the record along (PushOptions).
   */
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
  const prefix = options.prefix ?? 'bull';
  const queue = new Queue(PUSH_QUEUE, { connection: options.connection, prefix });
  const marksDefined = new Set<number>();
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
    known: readonly CommunityRecord[],
  ): Promise<Map<string, number>> {
    const given = new Map(known.map((community) => [community.id, community]));
    const ids = [...new Set(requests.map((r) => r.communityId))];
    const communities = await Promise.all(
      ids.map((id) => (given.has(id) ? given.get(id) : options.communities.get(id))),
    );
    const times = new Map<string, number>();
    // Communities mostly share a zone and quiet hours: a fan-out to a thousand of them
    // computed the same local time a thousand times (a tenth of a storm's relay).
    const byWindow = new Map<string, number>();
    ids.forEach((communityId, i) => {
      const community = communities[i];
      const quietHours = community ? communityPolicy(community).quietHours : null;
      const timeZone = community?.timezone ?? 'UTC';
      const window = quietHours
        ? `${timeZone} ${quietHours.startMinute}-${quietHours.endMinute}`
        : null;
      let at = window === null ? now.getTime() : byWindow.get(window);
      if (at === undefined) {
        at = deliveryTime(now, quietHours, timeZone).getTime();
        if (window !== null) byWindow.set(window, at);
      }
      times.set(communityId, at);
    });
    return times;
  }

  /** Marks the cards as pushed; the card keys among them that are first pushes. */
  async function markPushed(cards: readonly CardPush[]): Promise<Set<string>> {
    const byKey = new Map(cards.map((card) => [cardKeyOf(card), card]));
    const keys = [...byKey.keys()];
    const first = new Set<string>();
    if (keys.length === 0) return first;
    const client = await queue.getBackend().client;
    for (let at = 0; at < keys.length; at += MARKS_PER_CALL) {
      const part = keys.slice(at, at + MARKS_PER_CALL);
      // A command has a fixed number of keys: one is defined per part size met (one script).
      const command = `yishiMarkCardsPushed${part.length}`;
      if (!marksDefined.has(part.length)) {
        client.defineCommand(command, { numberOfKeys: part.length, lua: MARK_PUSHED });
        marksDefined.add(part.length);
      }
      const marked = (await client.runCommand(command, [
        ...part.map((key) => cardPushedKey(prefix, byKey.get(key) as CardPush)),
        PUSHED_MEMORY_MS,
      ])) as number[];
      part.forEach((key, i) => {
        if (marked[i] === 1) first.add(key);
      });
    }
    return first;
  }

  /** Forgets first-push marks whose jobs were not queued, so the retry is a first push again. */
  async function unmark(cards: readonly CardPush[]): Promise<void> {
    if (cards.length === 0) return;
    const client = await queue.getBackend().client;
    await client.del(...cards.map((card) => cardPushedKey(prefix, card)));
  }

  return {
    queue,
    async enqueue(requests, { urgent, communities = [] }) {
      if (requests.length === 0) return;
      const parsed = requests.map((r) => PushRequest.parse(r));
      const now = options.clock.now();
      const nowMs = now.getTime();
      const release = urgent
        ? new Map<string, number>()
        : await releaseTimes(parsed, now, communities);
      const quietUntil = (request: PushRequest) => {
        const at = release.get(request.communityId) ?? nowMs;
        return at > nowMs ? at : null;
      };
      // Quiet pushes are left out: they wait for the quiet job however new the card is.
      const first = await markPushed(
        parsed.filter((r): r is CardPush => r.kind === 'card' && quietUntil(r) === null),
      );
      const bucket = Math.floor(nowMs / coalesceMs);
      const jobs = parsed.map((request) => {
        const quietEnd = quietUntil(request);
        let jobId: string;
        let delay: number;
        if (request.kind === 'notice') {
          jobId = noticeJobId(request);
          delay = (quietEnd ?? nowMs) - nowMs;
        } else if (quietEnd !== null) {
          // Every change held back by the same quiet window collapses into one job.
          jobId = cardJobId(request, Math.floor(quietEnd / coalesceMs), true);
          delay = quietEnd - nowMs;
        } else if (first.has(cardKeyOf(request))) {
          jobId = newCardJobId(request, bucket);
          delay = 0;
        } else {
          jobId = cardJobId(request, bucket, false);
          delay = (bucket + 1) * coalesceMs + BUCKET_GRACE_MS - nowMs;
        }
        return {
          name: request.kind,
          data: request,
          opts: { ...jobDefaults, jobId, delay: Math.max(0, delay) },
        };
      });
      let added = 0;
      try {
        while (added < jobs.length) {
          const size = added === 0 ? FIRST_ADD : JOBS_PER_ADD;
          await queue.addBulk(jobs.slice(added, added + size));
          added += size;
        }
      } catch (error) {
        const unqueued = parsed
          .slice(added)
          .filter((r): r is CardPush => r.kind === 'card' && first.has(cardKeyOf(r)));
        await unmark(unqueued).catch(() => undefined);
        throw error;
      }
    },
    close: () => queue.close(),
  };
}
