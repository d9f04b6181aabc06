/**
 * The workers of one process, composed: the deadline worker, the reconciler,
 * the outbox relay, and the push queue with its worker (workers/push).
 * `close()` stops taking work and finishes in-flight jobs: the process's
 * SIGTERM handler awaits it.
 */
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import type { BoardLinks } from '../src/app/board-links.ts';
import type { CoreDeps } from '../src/app/core.ts';
import { closeVote } from '../src/app/deadlines.ts';
import { type NoticeReader, renderNotice } from '../src/app/notices.ts';
import type { Clock, IdSource } from '../src/app/ports/clock.ts';
import type { ChatSender, DeliveryStores } from '../src/app/ports/delivery.ts';
import type { PushQueue as PushPort } from '../src/app/ports/queue.ts';
import type {
  NoticeLedger,
  OutboxFeed,
  ScheduleReader,
  VoteCloseStore,
} from '../src/app/ports/schedule.ts';
import type { DeliberationStore, Platform } from '../src/app/ports/store.ts';
import { renderCardPush } from '../src/app/render-push.ts';
import { createCloseBatcher } from './deadlines/close-batcher.ts';
import { silentLog, type WorkerLog } from './deadlines/log.ts';
import type { DeadlineHooks } from './deadlines/processors.ts';
import { type Reconciler, startReconciler } from './deadlines/reconciler.ts';
import {
  createDeadlineScheduler,
  DEFAULT_DEADLINE_HORIZON_MS,
  type DeadlineScheduler,
} from './deadlines/scheduler.ts';
import { startDeadlineWorker } from './deadlines/worker.ts';
import { type OutboxRelay, type OutboxRelayOptions, startOutboxRelay } from './outbox-relay.ts';
import { freshReads } from './push/fresh-reads.ts';
import {
  createPushQueue,
  type PushEvent,
  type PushLimits,
  type PushQueue,
  startPushWorker,
} from './push/index.ts';
import { DEADLINES_QUEUE, type DeadlineJob } from './queues.ts';
import { checkRedisPolicy } from './redis-policy.ts';

export { checkRedisPolicy } from './redis-policy.ts';

/** The store ports of the workers (src/runtime/worker-ports.ts builds them on one database). */
export type WorkerPorts = {
  store: DeliberationStore;
  reader: ScheduleReader;
  ledger: NoticeLedger;
  feed: OutboxFeed;
  /** What cards and notices are rendered from when a push goes out. */
  notices: NoticeReader;
  /** The push worker's memory: card messages, refusing chats, notices delivered. */
  deliveries: DeliveryStores;
  /** Closes many votes per transaction; absent, each vote_close job closes its vote alone. */
  closer?: VoteCloseStore | undefined;
};

export type WorkersDeps = Omit<WorkerPorts, 'notices' | 'deliveries'> &
  Partial<Pick<WorkerPorts, 'notices' | 'deliveries'>> & {
    clock: Clock;
    ids: IdSource;
    /** The platforms' senders; the push worker delivers through them. */
    senders?: Partial<Record<Platform, ChatSender>> | undefined;
    /**
     * A push queue to use instead of the Redis one (tests record pushes). When
     * given, this process runs no push worker.
     */
    push?: PushPort | undefined;
    log?: WorkerLog | undefined;
    /** PUBLIC_URL and the board keys, for the board link under each card; absent: no link. */
    boardLinks?: BoardLinks | undefined;
  };

/** Where Redis is, when not given as a URL. */
export type RedisTarget = {
  host?: string;
  port?: number;
  db?: number;
  username?: string;
  password?: string;
};

export type WorkersOptions = {
  /** Redis URL (`redis://127.0.0.1:6379`) or host/port options. */
  connection: string | RedisTarget;
  /** Key prefix of every queue key (tests isolate with a unique one). Default `yishi`. */
  prefix?: string;
  /**
   * Deadline jobs in parallel in this process. Default 128: vote closes running
   * together share one transaction (see workers/deadlines/close-batcher.ts), so
   * more in flight means fewer, larger transactions in a storm.
   */
  concurrency?: number;
  /** Stalled-job check interval. Default 30 s. */
  stalledIntervalMs?: number;
  /** Job lock duration: how soon a dead worker's job counts as stalled. Default 30 s. */
  lockDurationMs?: number;
  /** Reconciler interval. Default 60 s. */
  reconcileIntervalMs?: number;
  /**
   * Only deadlines due within this are jobs in Redis; the reconciler adds the
   * others as they come into range. Default 48 h; at least twice the
   * reconciler interval, so a pass always comes before a deadline is due.
   */
  deadlineHorizonMs?: number;
  /** Outbox relay settings; `false` runs no relay in this process. */
  relay?: OutboxRelayOptions | false;
  /** Refuse a Redis that may evict keys. Default true. */
  checkRedisPolicy?: boolean;
  hooks?: DeadlineHooks;
  /** Other workers of this process, closed after the deadline worker. */
  alongside?: readonly { close(): Promise<void> }[];
  /** The push worker's settings (ignored when `deps.push` replaces the queue). */
  pushes?: {
    /** Run the push worker in this process. Default true. */
    worker?: boolean;
    /** Default: the platforms' published limits. */
    limits?: PushLimits;
    /** Card edit coalescing window. Default 3 s. */
    coalesceMs?: number;
    concurrency?: number;
    onEvent?: (event: PushEvent) => void;
  };
};

export type Workers = {
  scheduler: DeadlineScheduler;
  reconciler: Reconciler;
  relay: OutboxRelay | null;
  /** The deadlines queue (for inspection). */
  queue: Queue<DeadlineJob>;
  /** Where this process's pushes go. */
  push: PushPort;
  /** Stops taking work, finishes in-flight jobs, and disconnects. */
  close(): Promise<void>;
};

function redisFrom(connection: string | RedisTarget): Redis {
  const options = { maxRetriesPerRequest: null };
  return typeof connection === 'string'
    ? new Redis(connection, options)
    : new Redis({ ...connection, ...options });
}

export async function startWorkers(deps: WorkersDeps, options: WorkersOptions): Promise<Workers> {
  const log = deps.log ?? silentLog;
  const prefix = options.prefix ?? 'yishi';
  const reconcileIntervalMs = options.reconcileIntervalMs ?? 60_000;
  const horizonMs = options.deadlineHorizonMs ?? DEFAULT_DEADLINE_HORIZON_MS;
  if (horizonMs < 2 * reconcileIntervalMs) {
    throw new Error(
      `startWorkers: the deadline horizon (${horizonMs} ms) must be at least twice the reconcile interval (${reconcileIntervalMs} ms)`,
    );
  }
  const connection =
    typeof options.connection === 'string'
      ? { url: options.connection, maxRetriesPerRequest: null }
      : { ...options.connection, maxRetriesPerRequest: null };
  if (!deps.push && options.pushes?.worker !== false && (!deps.notices || !deps.deliveries)) {
    throw new Error('startWorkers: the push worker needs deps.notices and deps.deliveries');
  }
  const redis = redisFrom(options.connection);
  redis.on('error', (error) => log.error({ error: error.message }, 'redis error'));
  try {
    if (options.checkRedisPolicy !== false) await checkRedisPolicy(redis);
  } catch (error) {
    redis.disconnect();
    throw error;
  }

  const queue: Queue<DeadlineJob> = new Queue(DEADLINES_QUEUE, { connection, prefix });
  const settings = options.pushes ?? {};
  const pushQueue: PushQueue | null = deps.push
    ? null
    : createPushQueue({
        connection,
        prefix,
        clock: deps.clock,
        communities: { get: (id) => deps.reader.community(id) },
        ...(settings.coalesceMs === undefined ? {} : { coalesceMs: settings.coalesceMs }),
      });
  // Without a listener BullMQ prints each reconnect error to the console.
  pushQueue?.queue.on('error', (error) => log.error({ error: error.message }, 'push queue error'));
  const push: PushPort = deps.push ?? (pushQueue as PushPort);
  const renders = deps.notices;
  const cardReads = renders ? freshReads(renders) : null;
  const pushWorker =
    pushQueue && renders && deps.deliveries && settings.worker !== false
      ? startPushWorker({
          connection,
          redis,
          prefix,
          clock: deps.clock,
          senders: deps.senders ?? {},
          renderCard: (request, now, notBeforeMs) =>
            renderCardPush(cardReads?.at(notBeforeMs) ?? renders, request, now, deps.boardLinks),
          renderNotice: (request, now) => renderNotice(renders, request, now),
          stores: deps.deliveries,
          ...(settings.limits === undefined ? {} : { limits: settings.limits }),
          ...(settings.concurrency === undefined ? {} : { concurrency: settings.concurrency }),
          ...(settings.onEvent === undefined ? {} : { onEvent: settings.onEvent }),
        })
      : null;
  queue.on('error', (error) => log.error({ error: error.message }, 'deadline queue error'));
  const scheduler = createDeadlineScheduler({
    queue,
    redis,
    prefix,
    reader: deps.reader,
    clock: deps.clock,
    horizonMs,
  });
  const core: CoreDeps = { clock: deps.clock, ids: deps.ids, store: deps.store };
  const closer = deps.closer;
  const closes = closer
    ? createCloseBatcher({
        clock: deps.clock,
        ids: deps.ids,
        closer,
        closeOne: (target) => closeVote(core, target),
        onSweepError: (error) => log.warn({ err: error }, 'closing the votes due failed'),
      })
    : undefined;
  const worker = startDeadlineWorker(
    {
      core,
      reader: deps.reader,
      ledger: deps.ledger,
      push,
      scheduler,
      log,
      hooks: options.hooks,
      closes,
    },
    {
      connection,
      prefix,
      ...(options.concurrency === undefined ? {} : { concurrency: options.concurrency }),
      ...(options.stalledIntervalMs === undefined
        ? {}
        : { stalledIntervalMs: options.stalledIntervalMs }),
      ...(options.lockDurationMs === undefined ? {} : { lockDurationMs: options.lockDurationMs }),
    },
  );
  const reconciler = startReconciler(
    { reader: deps.reader, scheduler, log },
    { intervalMs: reconcileIntervalMs },
  );
  const relay =
    options.relay === false
      ? null
      : startOutboxRelay(
          {
            feed: deps.feed,
            reader: deps.reader,
            scheduler,
            push,
            clock: deps.clock,
            redis,
            prefix,
            log,
          },
          options.relay ?? {},
        );
  // A deadline that fired (a vote opened or closed...) committed its announcements: relay
  // them now rather than at the next poll.
  if (relay) worker.on('completed', (_job, result) => result.kind === 'fired' && relay.nudge());

  let closing: Promise<void> | null = null;
  return {
    scheduler,
    reconciler,
    relay,
    queue,
    push,
    close() {
      closing ??= (async () => {
        await relay?.close();
        await reconciler.close();
        // In-flight jobs finish here; the push worker last, so the deadlines' pushes are queued.
        await worker.close();
        for (const other of options.alongside ?? []) await other.close();
        await pushWorker?.close();
        await pushQueue?.close();
        await queue.close();
        await redis.quit().catch(() => redis.disconnect());
      })();
      return closing;
    },
  };
}
