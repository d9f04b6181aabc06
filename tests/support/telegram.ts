/**
 * Driving the Telegram adapter as Telegram does: real HTTP requests to the
 * webhook of an in-process gateway (express app of src/runtime), with the
 * bot's outbound calls going to the fake Bot API server, and so does the
 * call a webhook answer carries in its body (a button's answer). Builds
 * message and callback_query updates like the ones Telegram sends.
 */
import { randomUUID } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { createTelegramAdapter, type TelegramAdapter } from '../../bots/telegram/index.ts';
import { ballotBatcher } from '../../src/app/ballot-batcher.ts';
import type { CoreDeps } from '../../src/app/core.ts';
import { renderNotice } from '../../src/app/notices.ts';
import type { ChatSender } from '../../src/app/ports/delivery.ts';
import type { Platform } from '../../src/app/ports/store.ts';
import { renderCardPush } from '../../src/app/render-push.ts';
import { createHttpApp, listen } from '../../src/runtime/http-server.ts';
import { createMetrics } from '../../src/runtime/metrics.ts';
import { uuidSource } from '../../src/runtime/system.ts';
import { databasePorts } from '../../src/runtime/worker-ports.ts';
import { ballotBatchStore } from '../../src/store/ballot-batch-store.ts';
import { chatStore } from '../../src/store/chat-store.ts';
import type { Database } from '../../src/store/database.ts';
import { deliveryStores } from '../../src/store/delivery-store.ts';
import { communityStore, joinCodeStore } from '../../src/store/roster-store.ts';
import { statusReader } from '../../src/store/status-store.ts';
import { startWorkers } from '../../workers/index.ts';
import { createPushQueue } from '../../workers/push/queue.ts';
import { startPushWorker } from '../../workers/push/worker.ts';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram.ts';
import { drained, REDIS_URL, redisConnection } from './push-harness.ts';
import { postUpdate, type WebhookAnswer, type WebhookReply } from './webhook-post.ts';

export { callbackAnswerOf, SECRET_HEADER, type WebhookReply } from './webhook-post.ts';

export const TEST_TOKEN = '123456789:TEST-token';
export const TEST_SECRET = 'test-webhook-secret_1';

export type TelegramGateway = {
  url: string;
  adapter: TelegramAdapter;
  fake: FakeTelegram;
  server: Server;
  /**
   * Posts `update` to the webhook; `secret` null sends no header. The call a
   * 2xx answer carries in its body is `reply`, and the fake carries it out.
   */
  post(update: object, secret?: string | null): Promise<WebhookAnswer>;
  /** Posts `update` as Telegram does: again after a non-2xx answer, up to `attempts` times. */
  deliver(
    update: object,
    attempts?: number,
  ): Promise<{ status: number; tries: number; reply: WebhookReply | undefined }>;
  close(): Promise<void>;
};

/** The gateway's HTTP app with the Telegram adapter mounted, on a free port, against a fake Bot API. */
export async function startTelegramGateway(
  db: Database,
  core: CoreDeps,
  options: { fake?: FakeTelegram; webhookTimeoutMs?: number } = {},
): Promise<TelegramGateway> {
  const fake = options.fake ?? (await startFakeTelegram({ token: TEST_TOKEN, limits: false }));
  const adapter = await createTelegramAdapter({
    token: TEST_TOKEN,
    apiRoot: fake.apiRoot,
    webhookSecret: TEST_SECRET,
    webhookTimeoutMs: options.webhookTimeoutMs,
    deps: {
      core,
      // As the runtime does (src/runtime/web.ts): ballots go through the group commit.
      ballots: ballotBatcher(core, ballotBatchStore(db)),
      joinCodes: { clock: core.clock, ids: uuidSource, joinCodes: joinCodeStore(db) },
      status: statusReader(db),
      chats: chatStore(db),
      log: pino({ level: 'silent' }),
    },
  });
  const app = createHttpApp({ health: async () => ({}), metrics: createMetrics() });
  adapter.mount(app);
  const server = await listen(app, 0);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const post = (update: object, secret: string | null = TEST_SECRET) =>
    postUpdate(`${url}/telegram/webhook`, update, { secret, fake });
  return {
    url,
    adapter,
    fake,
    server,
    post,
    async deliver(update, attempts = 5) {
      for (let tries = 1; ; tries++) {
        const { status, reply } = await post(update);
        if ((status >= 200 && status < 300) || tries >= attempts) return { status, tries, reply };
        await new Promise((resolve) => setTimeout(resolve, 100 * tries));
      }
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await adapter.stop();
      if (!options.fake) await fake.close();
    },
  };
}

let nextUpdateId = 10_000;
let nextMessageId = 50_000;

/** A fresh update id (Telegram's are increasing integers). */
export const updateId = () => nextUpdateId++;

const userOf = (userId: number) => ({
  id: userId,
  is_bot: false,
  first_name: `居民${userId}`,
  language_code: 'zh-hans',
});

const chatOf = (chatId: number, userId: number) =>
  chatId === userId
    ? { id: chatId, type: 'private', first_name: `居民${userId}` }
    : { id: chatId, type: 'supergroup', title: `Group ${chatId}` };

/** A text message (a command when it starts with `/`), in a group or (chatId = userId) in private. */
export function messageUpdate(input: {
  chatId: number;
  userId: number;
  text: string;
  updateId?: number;
}): { update_id: number; message: object } {
  const command = /^\/\S+/.exec(input.text)?.[0];
  return {
    update_id: input.updateId ?? updateId(),
    message: {
      message_id: nextMessageId++,
      from: userOf(input.userId),
      chat: chatOf(input.chatId, input.userId),
      date: Math.floor(Date.now() / 1000),
      text: input.text,
      ...(command
        ? { entities: [{ type: 'bot_command', offset: 0, length: command.length }] }
        : {}),
    },
  };
}

/** A button press on message `messageId` of `chatId`. */
export function callbackUpdate(input: {
  chatId: number;
  userId: number;
  messageId: number;
  data: string;
  updateId?: number;
}): { update_id: number; callback_query: object } {
  const id = input.updateId ?? updateId();
  return {
    update_id: id,
    callback_query: {
      id: `cq-${id}`,
      from: userOf(input.userId),
      chat_instance: `ci-${input.chatId}`,
      data: input.data,
      message: {
        message_id: input.messageId,
        from: { id: 123456789, is_bot: true, first_name: 'Yishi Test', username: 'yishi_test_bot' },
        chat: chatOf(input.chatId, input.userId),
        date: Math.floor(Date.now() / 1000),
        text: 'card',
      },
    },
  };
}

/** Telegram user id of resident `index` in tests. */
export const userIdOf = (index: number) => 700_000 + index;

/** Links residents (by roster index) to Telegram accounts directly, as a roster import with user ids would. */
export async function linkTelegramAccounts(
  db: Database,
  community: { id: string; residents: { id: string }[] },
  indexes: readonly number[],
): Promise<void> {
  const residents = indexes.map((i) => {
    const resident = community.residents[i];
    if (!resident) throw new Error(`no resident ${i}`);
    return resident.id;
  });
  await db.sql.execute(
    `INSERT INTO "ChatIdentity" (id, "communityId", "residentId", platform, "userId", "linkedAt")
     SELECT 'tg-' || $1 || '-' || i, $1, r, 'telegram', u, now() AT TIME ZONE 'UTC'
     FROM unnest($2::text[], $3::text[], $4::text[]) AS v(i, r, u)`,
    [community.id, indexes.map(String), residents, indexes.map((i) => String(userIdOf(i)))],
  );
}

export type Pipeline = {
  prefix: string;
  /** Resolves once no push job is waiting, delayed or running. */
  drained(timeoutMs?: number): Promise<void>;
  close(): Promise<void>;
};

/**
 * Everything behind the bot that puts cards in chats, for real: the outbox
 * relay and deadline workers (workers/index.ts), the push queue and its
 * worker, posting through the adapter's sender to the fake Bot API.
 */
export async function startPipeline(
  db: Database,
  sender: TelegramAdapter['sender'] | undefined,
  /** `senders`: other platforms' senders beside Telegram's (a community with Slack channels too). */
  options: { coalesceMs: number; senders?: Partial<Record<Platform, ChatSender>> },
): Promise<Pipeline> {
  const prefix = `t-${randomUUID()}`;
  const clock = { now: () => new Date() };
  const connection = redisConnection();
  const reader = statusReader(db);
  const ports = databasePorts(db);
  const push = createPushQueue({
    connection,
    prefix,
    clock,
    communities: communityStore(db),
    coalesceMs: options.coalesceMs,
  });
  const redis = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
  const pushWorker = startPushWorker({
    connection,
    redis,
    prefix,
    clock,
    senders: { ...(sender ? { telegram: sender } : {}), ...options.senders },
    renderCard: (request, now) => renderCardPush(reader, request, now),
    renderNotice: (request, now) => renderNotice(ports.notices, request, now),
    stores: deliveryStores(db),
  });
  const workers = await startWorkers(
    { clock, ids: uuidSource, ...ports, push },
    { connection: REDIS_URL, prefix, relay: { pollMs: 25 }, alongside: [pushWorker] },
  );
  return {
    prefix,
    drained: (timeoutMs) => drained(push.queue, timeoutMs),
    async close() {
      await workers.close();
      await push.queue.obliterate({ force: true }).catch(() => {});
      await push.close();
      redis.disconnect();
    },
  };
}
