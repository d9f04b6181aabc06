/**
 * The Telegram gateway with hot topics wired as the composition root wires
 * them (store, Redis counter, cached opt-ins, the sink the adapter calls),
 * plus a way to wait until every message handed to the sink is counted:
 * the sink returns before the work is done, and a test awaits the work
 * rather than sleeping.
 */
import type { AddressInfo } from 'node:net';
import type { Redis } from 'ioredis';
import { type Logger, pino } from 'pino';
import type { Registry } from 'prom-client';
import { createTelegramAdapter, type TelegramAdapter } from '../../bots/telegram/index.ts';
import type { CoreDeps } from '../../src/app/core.ts';
import { countMessage, type MessageSink } from '../../src/app/count-message.ts';
import { type HotTopicsParts, hotTopicsParts } from '../../src/runtime/hot-topics.ts';
import { createHttpApp, listen } from '../../src/runtime/http-server.ts';
import { createMetrics } from '../../src/runtime/metrics.ts';
import { uuidSource } from '../../src/runtime/system.ts';
import { chatStore } from '../../src/store/chat-store.ts';
import type { Database } from '../../src/store/database.ts';
import { joinCodeStore } from '../../src/store/roster-store.ts';
import { statusReader } from '../../src/store/status-store.ts';
import { type FakeTelegram, startFakeTelegram } from './fake-telegram.ts';
import { TEST_SECRET, TEST_TOKEN } from './telegram.ts';
import { postUpdate, type WebhookAnswer } from './webhook-post.ts';

export type HotTopicsGateway = {
  url: string;
  adapter: TelegramAdapter;
  fake: FakeTelegram;
  hot: HotTopicsParts;
  /** Posts `update` to the webhook; a call in the 2xx body is carried out by the fake. */
  post(update: object): Promise<WebhookAnswer>;
  /** Resolves once every message handed to the sink so far is written to Redis. */
  counted(): Promise<void>;
  close(): Promise<void>;
};

export async function startHotTopicsGateway(
  db: Database,
  core: CoreDeps,
  options: {
    redis: Redis;
    prefix?: string;
    log?: Logger;
    registry?: Registry;
    maxQueued?: number;
    fake?: FakeTelegram;
  },
): Promise<HotTopicsGateway> {
  const fake = options.fake ?? (await startFakeTelegram({ token: TEST_TOKEN, limits: false }));
  const log = options.log ?? pino({ level: 'silent' });
  const hot = hotTopicsParts({
    sql: db.sql,
    redis: options.redis,
    clock: core.clock,
    onError: (error) => log.warn({ error: error.message }, 'hot topics counting failed'),
    ...(options.prefix ? { prefix: options.prefix } : {}),
    ...(options.registry ? { registry: options.registry } : {}),
    ...(options.maxQueued === undefined ? {} : { maxQueued: options.maxQueued }),
  });
  const inFlight = new Set<Promise<unknown>>();
  // The production sink, with each message's work kept so the test can await it.
  const sink: MessageSink = (message) => {
    const work = countMessage(
      { chats: hot.chats, counter: hot.counter, clock: core.clock },
      message,
    );
    inFlight.add(work);
    void work.finally(() => inFlight.delete(work));
  };
  const adapter = await createTelegramAdapter({
    token: TEST_TOKEN,
    apiRoot: fake.apiRoot,
    webhookSecret: TEST_SECRET,
    deps: {
      core,
      joinCodes: { clock: core.clock, ids: uuidSource, joinCodes: joinCodeStore(db) },
      status: statusReader(db),
      chats: chatStore(db),
      hotTopics: { topics: hot.topics, chats: hot.chats },
      countMessage: sink,
      log,
    },
  });
  const app = createHttpApp({ health: async () => ({}), metrics: createMetrics() });
  adapter.mount(app);
  const server = await listen(app, 0);
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    adapter,
    fake,
    hot,
    post: (update) => postUpdate(`${url}/telegram/webhook`, update, { secret: TEST_SECRET, fake }),
    async counted() {
      await Promise.all([...inFlight]);
      await hot.counter.flush();
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await adapter.stop();
      if (!options.fake) await fake.close();
    },
  };
}
