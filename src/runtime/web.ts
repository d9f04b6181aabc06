/**
 * The HTTP side of a process: health, metrics, the first-contact page, the
 * public board and, when their tokens are configured, the Telegram adapter
 * (webhook on the same server when PUBLIC_URL is set, long polling
 * otherwise) and the Slack adapter (`POST /slack/events` on the same
 * server, or Socket Mode with SLACK_APP_TOKEN and no PUBLIC_URL).
 */
import { readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import type { Redis } from 'ioredis';
import { createSlackAdapter, type SlackAdapter } from '../../bots/slack/index.ts';
import { createTelegramAdapter, type TelegramAdapter } from '../../bots/telegram/index.ts';
import { ballotBatcher } from '../app/ballot-batcher.ts';
import type { CoreDeps } from '../app/core.ts';
import type { Config } from '../config.ts';
import { ballotBatchStore } from '../store/ballot-batch-store.ts';
import { boardKeys, boardReader } from '../store/board-store.ts';
import { countUnreachableBoundChats } from '../store/chat-membership-store.ts';
import { chatStore } from '../store/chat-store.ts';
import { type Database, pingDatabase } from '../store/database.ts';
import { joinCodeStore } from '../store/roster-store.ts';
import { statusReader } from '../store/status-store.ts';
import { boardRoutes } from '../web/board/routes.ts';
import { homePage } from '../web/home-page.ts';
import { watchUnreachableChats } from './chat-metrics.ts';
import type { DependencyHealth } from './dependency-health.ts';
import { boardHotTopics, hotTopicsParts } from './hot-topics.ts';
import { answerFailures, createHttpApp, listen } from './http-server.ts';
import type { Logger } from './logger.ts';
import type { Metrics } from './metrics.ts';
import { pingRedis } from './redis.ts';

export type Web = {
  server: Server;
  telegram: TelegramAdapter | undefined;
  slack: SlackAdapter | undefined;
  close(): Promise<void>;
};

export async function startWeb(deps: {
  config: Config;
  db: Database;
  redis: Redis;
  core: CoreDeps;
  metrics: Metrics;
  log: Logger;
  /** Told each probe's result, so a /healthz check also opens or closes an outage. */
  dependencies?: Pick<DependencyHealth, 'observe' | 'absorb'>;
}): Promise<Web> {
  const { config, db, redis, core, log } = deps;
  const app = createHttpApp({
    metrics: deps.metrics,
    health: async () => {
      const [dbUp, redisUp] = await Promise.all([pingDatabase(db), pingRedis(redis)]);
      deps.dependencies?.observe('database', dbUp);
      deps.dependencies?.observe('redis', redisUp);
      return { db: dbUp, redis: redisUp };
    },
  });

  app.get('/', homePage(packageVersion()));
  const hot = hotTopicsParts({
    sql: db.sql,
    redis,
    clock: core.clock,
    registry: deps.metrics.registry,
    onError: (error) => log.warn({ error: error.message }, 'hot topics counting failed'),
  });
  app.use(
    boardRoutes({
      hotTopics: boardHotTopics(hot.topics),
      reader: boardReader(db),
      clock: core.clock,
      publicUrl: config.publicUrl,
      lookupTtlMs: 1_000,
    }),
  );

  watchUnreachableChats(deps.metrics.registry, () => countUnreachableBoundChats(db));

  // What every platform's conversation calls.
  const chatDeps = {
    hotTopics: { topics: hot.topics, chats: hot.chats },
    countMessage: hot.countMessage,
    core,
    // Ballots that arrive together are committed together (src/app/ballot-batcher.ts).
    ballots: ballotBatcher(core, ballotBatchStore(db)),
    joinCodes: {
      clock: core.clock,
      ids: core.ids,
      joinCodes: joinCodeStore(db),
      watch: core.watch,
    },
    status: statusReader(db),
    // PUBLIC_URL enters the conversation here: `/status N` cards link to the board page.
    boardLinks: config.publicUrl ? { publicUrl: config.publicUrl, keys: boardKeys(db) } : undefined,
    chats: chatStore(db),
    log,
  };
  let telegram: TelegramAdapter | undefined;
  if (config.telegram) {
    telegram = await createTelegramAdapter({
      token: config.telegram.token,
      apiRoot: config.telegram.apiRoot,
      webhookSecret: config.telegram.webhookSecret,
      deps: chatDeps,
    });
    if (config.publicUrl) telegram.mount(app);
  }
  let slack: SlackAdapter | undefined;
  if (config.slack) {
    // Socket Mode is for development, like Telegram's polling: only without a public URL.
    const socket = !config.publicUrl && config.slack.appToken !== undefined;
    slack = await createSlackAdapter({
      token: config.slack.token,
      signingSecret: config.slack.signingSecret,
      apiUrl: config.slack.apiUrl,
      transport:
        socket && config.slack.appToken
          ? { kind: 'socket', appToken: config.slack.appToken }
          : { kind: 'http', app },
      deps: chatDeps,
    });
  }

  // After every route: a failed page shows residents a short message, never the error.
  answerFailures(app, { log, absorb: (error) => deps.dependencies?.absorb(error) ?? false });
  const server = await listen(app, config.port, log);
  const close = async () => {
    // Stop taking requests first; in-flight webhook requests finish before the bot stops.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await telegram?.stop();
    await slack?.stop();
  };
  try {
    if (telegram && config.publicUrl) {
      // Registered once the route answers, so Telegram's first delivery finds it.
      await telegram.setWebhook(config.publicUrl);
      log.info({ url: config.publicUrl }, 'telegram webhook registered');
    } else if (telegram) {
      await telegram.startPolling();
      log.info('telegram long polling (no PUBLIC_URL)');
    }

    if (slack) {
      await slack.start();
      log.info(
        config.publicUrl || !config.slack?.appToken
          ? 'slack events at /slack/events'
          : 'slack socket mode (no PUBLIC_URL)',
      );
    }
  } catch (error) {
    // A failed start leaves nothing behind: a caller in the same process (a test, a
    // supervisor trying again) would otherwise keep a listening port and a polling bot.
    await close().catch((closeError: unknown) =>
      log.warn({ err: closeError }, 'closing after a failed start failed'),
    );
    throw error;
  }

  return { server, telegram, slack, close };
}

function packageVersion(): string {
  const text = readFileSync(new URL('../../package.json', import.meta.url), 'utf8');
  const { version } = JSON.parse(text) as { version?: unknown };
  return typeof version === 'string' ? version : 'unknown';
}
