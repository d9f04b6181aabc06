/**
 * Starting the real workers in tests: real PostgreSQL and Redis, a queue
 * prefix of the test's own, and a recording PushQueue (our own port, the one
 * piece faked here) that keeps every push request so tests can count what
 * each chat would have received.
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import { bindChat } from '../../src/app/bind-chat.ts';
import type { Clock } from '../../src/app/ports/clock.ts';
import type { PushOptions, PushQueue } from '../../src/app/ports/queue.ts';
import type { Platform } from '../../src/app/ports/store.ts';
import { rosterDeps } from '../../src/runtime/roster-deps.ts';
import { uuidSource } from '../../src/runtime/system.ts';
import { databasePorts } from '../../src/runtime/worker-ports.ts';
import type { Database } from '../../src/store/database.ts';
import { startWorkers, type Workers, type WorkersOptions } from '../../workers/index.ts';
import type { PushRequest } from '../../workers/push/push-request.ts';

export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export type RecordedPush = { request: PushRequest; options: PushOptions; at: number };

export type RecordingPushQueue = PushQueue & {
  pushes: RecordedPush[];
  cards(card?: string): RecordedPush[];
  notices(notice?: string): RecordedPush[];
};

/** A PushQueue that records; dedupes notices by key as the real one does. */
export function recordingPushQueue(): RecordingPushQueue {
  const pushes: RecordedPush[] = [];
  const keys = new Set<string>();
  return {
    pushes,
    async enqueue(requests, options) {
      for (const request of requests) {
        if (request.kind === 'notice') {
          if (keys.has(request.key)) continue;
          keys.add(request.key);
        }
        pushes.push({ request, options, at: Date.now() });
      }
    },
    cards: (card) =>
      pushes.filter((p) => p.request.kind === 'card' && (!card || p.request.card === card)),
    notices: (notice) =>
      pushes.filter((p) => p.request.kind === 'notice' && (!notice || p.request.notice === notice)),
  };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 15_000,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline)
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

export const testPrefix = () => `t-${randomUUID()}`;

export type TestWorkers = Workers & { push: RecordingPushQueue; prefix: string };

/** The workers on `db` with the real clock, a fresh prefix (or the given one) and a recording push queue. */
export async function startTestWorkers(
  db: Database,
  options: Partial<WorkersOptions> & {
    push?: RecordingPushQueue;
    clock?: Clock;
    /** Leave the prefix's keys in Redis on close (a test that restarts on the same queues). */
    keepKeys?: boolean;
  } = {},
): Promise<TestWorkers> {
  const { push: given, clock, keepKeys, ...rest } = options;
  const push = given ?? recordingPushQueue();
  const prefix = options.prefix ?? testPrefix();
  const ports = databasePorts(db);
  const workers = await startWorkers(
    {
      clock: clock ?? { now: () => new Date() },
      ids: uuidSource,
      store: ports.store,
      reader: ports.reader,
      ledger: ports.ledger,
      feed: ports.feed,
      closer: ports.closer,
      push,
    },
    {
      connection: REDIS_URL,
      relay: { pollMs: 50 },
      ...rest,
      prefix,
    },
  );
  const close = workers.close;
  return Object.assign(workers, {
    push,
    prefix,
    // The shared Redis keeps nothing of a test once it is over.
    async close() {
      await close();
      if (keepKeys) return;
      const connection = rest.connection ?? REDIS_URL;
      const redis =
        typeof connection === 'string' ? new Redis(connection) : new Redis({ ...connection });
      try {
        const stream = redis.scanStream({ match: `${prefix}:*`, count: 500 });
        for await (const keys of stream as AsyncIterable<string[]>) {
          if (keys.length > 0) await redis.del(...keys);
        }
      } finally {
        redis.disconnect();
      }
    },
  });
}

/** Binds group chats to the community. */
export async function bindChats(
  db: Database,
  communityId: string,
  chats: readonly { platform: Platform; chatId: string }[],
): Promise<void> {
  for (const chat of chats) {
    const bound = await bindChat(rosterDeps(db), { communityId, ...chat });
    if (bound.kind !== 'bound') throw new Error(JSON.stringify(bound));
  }
}

/** Audit entries of one action in a community, oldest first. */
export async function auditOf(db: Pick<Database, 'sql'>, communityId: string, action: string) {
  return db.sql.query<{
    seq: string;
    actor: string;
    action: string;
    subject: string;
    payload: unknown;
    payloadHash: string;
    at: Date;
  }>(
    `SELECT seq::text AS seq, actor, action, subject, payload, "payloadHash", at
     FROM "AuditEntry" WHERE "communityId" = $1 AND action = $2 ORDER BY "AuditEntry".seq`,
    [communityId, action],
  );
}
