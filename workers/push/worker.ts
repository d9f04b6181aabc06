/**
 * The push queue's processor: renders each push from PostgreSQL when it
 * runs, waits for the platform's shared rate limits without losing the job
 * or spending its attempts, sends a card once and edits it in place after,
 * honours `retry_after`, and records chats that refuse the bot for good.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { type ConnectionOptions, DelayedError, type Job, UnrecoverableError, Worker } from 'bullmq';
import type { Redis } from 'ioredis';
import { migrateChat } from '../../src/app/migrate-chat.ts';
import type { Clock } from '../../src/app/ports/clock.ts';
import type {
  CardMessageKey,
  CardMessageStore,
  ChatMigrationStore,
  ChatRouteStore,
  ChatSender,
  ChatTarget,
  DeliveryProblemStore,
  NoticeDeliveryStore,
  OutboundMessage,
  SendResult,
} from '../../src/app/ports/delivery.ts';
import type { Platform } from '../../src/app/ports/store.ts';
import { answeredFailure, createCardSends, MAX_UNKNOWN_SENDS } from './card-sends.ts';
import { cardKeyOf, PUSH_QUEUE } from './job-ids.ts';
import {
  createCardLocks,
  createPushLimiter,
  DEFAULT_PUSH_LIMITS,
  type PushLimiter,
  type PushLimits,
} from './limits.ts';
import { type CardPush, type NoticePush, PushRequest } from './push-request.ts';

/** What happened to one run of a push job (for logs, metrics and tests). */
export type PushEvent = {
  jobId: string;
  push: PushRequest;
  outcome:
    | 'sent'
    | 'edited'
    /** Nothing to deliver: rendered to null, chat unbound, or already delivered. */
    | 'dropped'
    /** The chat refuses the bot for good; recorded, not retried. */
    | 'gone'
    /** Waiting for a rate limit, a `retry_after` pause or the card's lock. */
    | 'waiting'
    /** The platform answered 429: the target is paused. */
    | 'retry_after'
    /** A platform call failed; BullMQ retries with backoff. */
    | 'failed';
  /** For `waiting` and `retry_after`: how long the job waits. */
  waitMs?: number;
  reason?: string;
};

export type PushWorkerOptions = {
  connection: ConnectionOptions;
  /** Redis for the shared limits and card locks (the caller closes it). */
  redis: Redis;
  /** The queue's BullMQ prefix; default `bull`. Also prefixes the limiter's keys. */
  prefix?: string;
  clock: Clock;
  senders: Partial<Record<Platform, ChatSender>>;
  /**
   * A card for its chat, from fresh state; null when there is nothing to show.
   * `notBeforeMs` (epoch ms) is the job's planned time: state read at or after
   * it shows every change queued into the job, so reads may be shared from then
   * on (workers/push/fresh-reads.ts).
   */
  renderCard(push: CardPush, now: Date, notBeforeMs: number): Promise<OutboundMessage | null>;
  /** A notice for its chat, from fresh state; null when it no longer applies. */
  renderNotice(push: NoticePush, now: Date): Promise<OutboundMessage | null>;
  stores: {
    cards: CardMessageStore;
    problems: DeliveryProblemStore;
    notices: NoticeDeliveryStore;
    routes: ChatRouteStore;
    migrations: ChatMigrationStore;
  };
  /** Default: the platforms' published limits ({@link DEFAULT_PUSH_LIMITS}). */
  limits?: PushLimits;
  /**
   * Jobs in flight per process; default 64. A burst (one announcement to 1,000
   * chats) first parks most jobs for their turns; more in flight parks them
   * sooner, so the first turns' wake-ups are not queued behind the burst.
   */
  concurrency?: number;
  onEvent?: (event: PushEvent) => void;
};

/** Waits up to this long are slept in the process instead of parking the job in Redis. */
const SHORT_WAIT_MS = 250;
/**
 * A job parked for its turn wakes this much before it and sleeps the rest in
 * the process: a delayed job's wake-up can be tens of ms late, and a turn
 * missed is a share of the window lost. The limiter keeps the turn meanwhile.
 */
const EARLY_WAKE_MS = 150;
/** A job waits for a card's lock held by another job this long before looking again. */
const LOCK_RETRY_MS = 200;
/** BullMQ's lock on a running push job; renewed every half of it while the job runs. */
const PUSH_LOCK_MS = 8_000;
/** How often stalled push jobs (their worker died) are looked for. */
const STALLED_CHECK_MS = 2_000;
/** The lock lapses by itself if its holder dies. */
const LOCK_TTL_MS = 30_000;

/**
 * When the job was planned to run: its creation plus its first delay (both set
 * by the producer, on BullMQ's wall clock). Every change coalesced into the job
 * was queued before then.
 */
const plannedAt = (job: Job): number => job.timestamp + (job.opts.delay ?? 0);

/** How long to park a job told to wait: a turn (limited) is woken for a little early. */
const parkFor = (wait: { waitMs: number; reason: 'paused' | 'limited' }): number =>
  wait.reason === 'limited' ? Math.max(1, wait.waitMs - EARLY_WAKE_MS) : wait.waitMs;

/** Thrown after the job was moved back to delayed: BullMQ spends no attempt on it. */
async function sleepJob(job: Job, token: string | undefined, ms: number): Promise<never> {
  await job.moveToDelayed(Date.now() + Math.max(1, Math.ceil(ms)), token);
  throw new DelayedError();
}

export function startPushWorker(options: PushWorkerOptions): {
  worker: Worker;
  close(): Promise<void>;
} {
  const prefix = options.prefix ?? 'bull';
  const limiter: PushLimiter = createPushLimiter(options.redis, {
    prefix,
    limits: options.limits ?? DEFAULT_PUSH_LIMITS,
  });
  const locks = createCardLocks(options.redis, prefix);
  const cardSends = createCardSends(options.redis, prefix);
  const { cards, problems, notices, routes, migrations } = options.stores;

  const report = (job: Job, push: PushRequest, outcome: PushEvent['outcome'], more = {}) =>
    options.onEvent?.({ jobId: job.id ?? '', push, outcome, ...more });

  /**
   * Parks the job when its target has no room now, before it reads PostgreSQL:
   * a burst of pushes to one chat then costs one look each while they wait.
   */
  async function roomFor(job: Job, token: string | undefined, push: PushRequest) {
    const target: ChatTarget = { platform: push.platform, chatId: push.chatId };
    const room = await limiter.acquire(target, job.id ?? randomUUID(), false);
    if (room.ok || room.waitMs <= SHORT_WAIT_MS) return;
    report(job, push, 'waiting', { waitMs: room.waitMs, reason: room.reason });
    await sleepJob(job, token, parkFor(room));
  }

  /**
   * Makes one platform call within the limits: takes a request from them, or
   * parks the job until there may be room (then the call is not made).
   */
  async function limited(
    job: Job,
    token: string | undefined,
    push: PushRequest,
    call: () => Promise<SendResult>,
  ): Promise<SendResult> {
    const target: ChatTarget = { platform: push.platform, chatId: push.chatId };
    const member = job.id ?? randomUUID();
    let acquired = await limiter.acquire(target, member);
    // A short wait is slept here: a delayed job wakes tens of ms late, which would cost
    // a share of every window when the limit is the bottleneck.
    for (let i = 0; !acquired.ok && acquired.waitMs <= SHORT_WAIT_MS && i < 3; i++) {
      await delay(acquired.waitMs);
      acquired = await limiter.acquire(target, member);
    }
    if (!acquired.ok) {
      report(job, push, 'waiting', { waitMs: acquired.waitMs, reason: acquired.reason });
      return sleepJob(job, token, parkFor(acquired));
    }
    try {
      return await call();
    } finally {
      await limiter.settle(target, acquired.entry);
    }
  }

  /** Handles every result but a successful one; returns only for `sent`. */
  async function settle(
    job: Job,
    token: string | undefined,
    push: PushRequest,
    result: SendResult,
  ): Promise<void> {
    const target: ChatTarget = { platform: push.platform, chatId: push.chatId };
    switch (result.kind) {
      case 'sent':
        return;
      case 'retry_after':
        await limiter.pause(target, result.ms);
        report(job, push, 'retry_after', { waitMs: result.ms });
        return sleepJob(job, token, result.ms);
      case 'gone':
        await problems.record(target, result.reason, options.clock.now());
        report(job, push, 'gone', { reason: result.reason });
        throw new UnrecoverableError(`chat refuses the bot: ${result.reason}`);
      case 'migrated': {
        // The chat moved (group -> supergroup): move it, then run again, routed to the new id.
        const moved = await migrateChat(
          { clock: options.clock, migrations },
          { ...target, toChatId: result.toChatId, fromChatId: push.chatId, source: 'send_refused' },
        );
        if (moved.kind === 'already') {
          // Moved by another job meanwhile, or the ids loop: retry with backoff, not at once.
          report(job, push, 'failed', { reason: `chat moved to ${result.toChatId} already` });
          throw new Error(`push failed: chat moved to ${result.toChatId} already`);
        }
        report(job, push, 'waiting', { waitMs: 1, reason: `chat moved to ${result.toChatId}` });
        return sleepJob(job, token, 1);
      }
      case 'message_missing':
        report(job, push, 'failed', { reason: 'message_missing after a new send' });
        throw new Error('the platform reports a missing message for a new send');
      case 'failed':
        report(job, push, 'failed', { reason: result.reason });
        throw new Error(`push failed: ${result.reason}`);
    }
  }

  async function deliverNotice(
    job: Job,
    token: string | undefined,
    push: NoticePush,
    sender: ChatSender,
    threadId: string | undefined,
  ) {
    if (await notices.delivered(push.key)) return report(job, push, 'dropped', { reason: 'sent' });
    const message = await options.renderNotice(push, options.clock.now());
    if (!message) return report(job, push, 'dropped', { reason: 'no longer applies' });
    const result = await limited(job, token, push, () =>
      sender.send({ platform: push.platform, chatId: push.chatId, threadId }, message),
    );
    await settle(job, token, push, result);
    await notices.record(push.key, options.clock.now());
    report(job, push, 'sent');
  }

  async function deliverCard(
    job: Job,
    token: string | undefined,
    push: CardPush,
    sender: ChatSender,
    threadId: string | undefined,
  ) {
    const target: ChatTarget = { platform: push.platform, chatId: push.chatId, threadId };
    const cardKey = cardKeyOf(push);
    // The job's own id: a run after a crash takes back its dead run's lease at once.
    const owner = job.id ?? randomUUID();
    // One job at a time per card and chat, or two could both find no message and send one.
    if (!(await cardSends.takeLock(cardKey, owner, LOCK_TTL_MS))) {
      report(job, push, 'waiting', { waitMs: LOCK_RETRY_MS, reason: 'card lock' });
      return sleepJob(job, token, LOCK_RETRY_MS);
    }
    try {
      const message = await options.renderCard(push, options.clock.now(), plannedAt(job));
      if (!message) return report(job, push, 'dropped', { reason: 'nothing to show' });
      const key: CardMessageKey = {
        platform: push.platform,
        chatId: push.chatId,
        communityId: push.communityId,
        number: push.number,
        kind: push.card,
      };
      const shown = await cards.get(key);
      if (shown !== undefined) {
        const edited = await limited(job, token, push, () => sender.edit(target, shown, message));
        if (edited.kind !== 'message_missing') {
          await settle(job, token, push, edited);
          return report(job, push, 'edited');
        }
        // Deleted in the chat: show the card anew, as a send of its own.
        await cards.delete(key);
      }
      if ((await cardSends.unknown(cardKey)) >= MAX_UNKNOWN_SENDS) {
        return report(job, push, 'dropped', { reason: 'earlier sends of unknown outcome' });
      }
      const sent = await limited(job, token, push, async () => {
        await cardSends.starting(cardKey);
        const result = await sender.send(target, message);
        if (result.kind !== 'failed' || answeredFailure(result.reason)) {
          // Recorded before the marker is cleared: a crash in between leaves the marker.
          if (result.kind === 'sent') await cards.put(key, result.messageId, options.clock.now());
          await cardSends.known(cardKey);
        }
        return result;
      });
      await settle(job, token, push, sent);
      report(job, push, 'sent');
    } finally {
      await locks.release(cardKey, owner);
    }
  }

  const worker = new Worker(
    PUSH_QUEUE,
    async (job: Job, token?: string) => {
      const queued = PushRequest.parse(job.data);
      const sender = options.senders[queued.platform];
      if (!sender) throw new UnrecoverableError(`no sender configured for ${queued.platform}`);
      const target: ChatTarget = { platform: queued.platform, chatId: queued.chatId };
      let routedTo: ChatTarget | undefined;
      let parked = false;
      try {
        await roomFor(job, token, queued);
        // Where the chat is now: a push queued before a migration goes to the new id.
        const route = await routes.route(target);
        if (route.gone) return report(job, queued, 'dropped', { reason: 'chat gone' });
        const push = { ...queued, chatId: route.target.chatId };
        if (push.chatId !== queued.chatId) routedTo = route.target;
        const thread = route.target.threadId;
        if (push.kind === 'notice') return await deliverNotice(job, token, push, sender, thread);
        return await deliverCard(job, token, push, sender, thread);
      } catch (error) {
        parked = error instanceof DelayedError;
        throw error;
      } finally {
        // Unless parked for its turn, the job holds no planned turn any more (dropped,
        // failed and backing off): a turn nobody takes would keep a slot empty.
        if (!parked) {
          await limiter.forget(target, job.id ?? '');
          if (routedTo) await limiter.forget(routedTo, job.id ?? '');
        }
      }
    },
    {
      connection: options.connection,
      prefix,
      concurrency: options.concurrency ?? 64,
      // A dead worker's jobs run again within lock + check (10 s) of its death; a live
      // worker renews its locks every 4 s whatever its sends take, so a slow send keeps its job.
      lockDuration: PUSH_LOCK_MS,
      stalledInterval: STALLED_CHECK_MS,
      // A job that took down two workers is not given a third (card sends: card-sends.ts).
      maxStalledCount: 1,
    },
  );
  // BullMQ reports connection trouble here; it reconnects by itself.
  worker.on('error', () => {});
  return {
    worker,
    close: () => worker.close(),
  };
}
