/**
 * The push queue against the fake Telegram server: the real queue, worker,
 * PostgreSQL stores and Telegram sender (bots/telegram/sender.ts), with a
 * notice renderer whose text is the notice's key, so a test can tell every
 * message apart. Used in-process and by the worker child process.
 */
import type { ConnectionOptions, Queue } from 'bullmq';
import { Api } from 'grammy';
import { Redis } from 'ioredis';
import { createSlackSender, slackPushClient } from '../../bots/slack/sender.ts';
import { createTelegramSender } from '../../bots/telegram/sender.ts';
import type { BoardLinks } from '../../src/app/board-links.ts';
import type { Clock } from '../../src/app/ports/clock.ts';
import type { OutboundMessage } from '../../src/app/ports/delivery.ts';
import { renderCardPush } from '../../src/app/render-push.ts';
import type { Database } from '../../src/store/database.ts';
import { deliveryStores } from '../../src/store/delivery-store.ts';
import { statusReader } from '../../src/store/status-store.ts';
import type { PushLimits } from '../../workers/push/limits.ts';
import type { NoticePush } from '../../workers/push/push-request.ts';
import { type PushEvent, startPushWorker } from '../../workers/push/worker.ts';

export const TEST_BOT_TOKEN = '4242:push-test-token';
export const TEST_SLACK_TOKEN = 'xoxb-push-test-token';
export const REDIS_URL = process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379';

export function redisConnection(url = REDIS_URL): ConnectionOptions {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port || 6379), maxRetriesPerRequest: null };
}

/** A notice rendered as a proposal heading whose title is the notice key. */
export async function renderKeyNotice(push: NoticePush): Promise<OutboundMessage> {
  return {
    locale: 'en',
    lines: [{ key: 'card.proposal.heading', params: { number: 1, title: push.key } }],
    progress: null,
    buttons: [],
  };
}

/** How that notice reads in the chat. */
export const keyNoticeText = (key: string) => `Proposal #1: ${key}`;

export function notice(
  communityId: string,
  chatId: string,
  key: string,
  overrides: Partial<NoticePush> = {},
): NoticePush {
  return {
    kind: 'notice',
    key,
    notice: 'digest',
    communityId,
    platform: 'telegram',
    chatId,
    ...overrides,
  };
}

export type HarnessWorker = {
  events: PushEvent[];
  /** Resolves once the worker is connected and the stores have answered once. */
  ready(): Promise<void>;
  close(): Promise<void>;
};

export function startHarnessWorker(options: {
  db: Database;
  apiRoot: string;
  /** The fake Slack Web API, for a Slack sender beside Telegram's. */
  slackApiUrl?: string | undefined;
  prefix: string;
  clock?: Clock;
  limits?: PushLimits;
  concurrency?: number;
  onEvent?: (event: PushEvent) => void;
  /** PUBLIC_URL and board keys: cards then link to their board page. */
  boardLinks?: BoardLinks;
}): HarnessWorker {
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const events: PushEvent[] = [];
  const reader = statusReader(options.db);
  const stores = deliveryStores(options.db);
  const push = startPushWorker({
    connection: redisConnection(),
    redis,
    prefix: options.prefix,
    clock: options.clock ?? { now: () => new Date() },
    senders: {
      telegram: createTelegramSender(new Api(TEST_BOT_TOKEN, { apiRoot: options.apiRoot })),
      ...(options.slackApiUrl
        ? { slack: createSlackSender(slackPushClient(TEST_SLACK_TOKEN, options.slackApiUrl)) }
        : {}),
    },
    renderCard: (request, now) => renderCardPush(reader, request, now, options.boardLinks),
    renderNotice: renderKeyNotice,
    stores,
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.concurrency ? { concurrency: options.concurrency } : {}),
    onEvent: (event) => {
      events.push(event);
      options.onEvent?.(event);
    },
  });
  return {
    events,
    async ready() {
      await push.worker.waitUntilReady();
      await stores.problems.isGone({ platform: 'telegram', chatId: '0' });
      await stores.notices.delivered('warm-up');
    },
    async close() {
      await push.close();
      redis.disconnect();
    },
  };
}

/** Resolves once the queue has no waiting, delayed or active job. */
export async function drained(queue: Queue, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const counts = await queue.getJobCounts('wait', 'delayed', 'active', 'prioritized');
    if (Object.values(counts).every((n) => n === 0)) return;
    if (Date.now() > deadline) throw new Error(`push queue not drained: ${JSON.stringify(counts)}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}
