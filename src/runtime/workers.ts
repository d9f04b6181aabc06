/**
 * The worker side of a process: deadlines, reconciler, outbox relay, the push
 * queue's worker with the platforms' senders, and the hourly maintenance.
 */
import { Api } from 'grammy';
import { Redis } from 'ioredis';
import { createSlackSender, slackPushClient } from '../../bots/slack/sender.ts';
import { createTelegramSender } from '../../bots/telegram/sender.ts';
import { startHotTopicsJob } from '../../workers/hot-topics.ts';
import { startWorkers, type Workers } from '../../workers/index.ts';
import { startMaintenance } from '../../workers/maintenance.ts';
import { rollUpTopics, sendTopicCards } from '../app/hot-topics-jobs.ts';
import type { ChatSender } from '../app/ports/delivery.ts';
import type { Platform } from '../app/ports/store.ts';
import type { Config } from '../config.ts';
import { boardKeys } from '../store/board-store.ts';
import type { Database } from '../store/database.ts';
import { pruneExpired, sealAllCommunities } from '../store/maintenance-store.ts';
import { pruneRetained } from '../store/retention-store.ts';
import { hotTopicsParts } from './hot-topics.ts';
import type { Logger } from './logger.ts';
import { systemClock, uuidSource } from './system.ts';
import { databasePorts } from './worker-ports.ts';

/** How long a Bot API call of the push worker may take. */
const SEND_TIMEOUT_SECONDS = 30;

/** Every queue key starts with this, so one Redis can serve other software too. */
export const QUEUE_PREFIX = 'yishi';

function senders(config: Config): Partial<Record<Platform, ChatSender>> {
  const out: Partial<Record<Platform, ChatSender>> = {};
  // The push queue paces and retries: these clients have no retries of their own.
  if (config.telegram) {
    out.telegram = createTelegramSender(
      // grammY waits 500 s by default; a send unanswered for 30 s counts as of
      // unknown outcome and is retried at most once (workers/push/card-sends.ts).
      new Api(config.telegram.token, {
        apiRoot: config.telegram.apiRoot,
        timeoutSeconds: SEND_TIMEOUT_SECONDS,
      }),
    );
  }
  if (config.slack) {
    out.slack = createSlackSender(slackPushClient(config.slack.token, config.slack.apiUrl));
  }
  return out;
}

/** The hourly hot-topics roll-up and weekly card, with a Redis connection of its own. */
async function startHotTopicsWork(deps: {
  config: Config;
  db: Database;
  log: Logger;
  senders: Partial<Record<Platform, ChatSender>>;
}): Promise<{ close(): Promise<void> }> {
  const { config, db, log } = deps;
  const redis = new Redis(config.redisUrl, { maxRetriesPerRequest: null });
  redis.on('error', (error) => log.warn({ error: error.message }, 'hot topics redis error'));
  const hot = hotTopicsParts({
    sql: db.sql,
    redis,
    clock: systemClock,
    onError: (error) => log.warn({ error: error.message }, 'hot topics error'),
  });
  const job = await startHotTopicsJob({
    connection: { url: config.redisUrl, maxRetriesPerRequest: null },
    prefix: QUEUE_PREFIX,
    now: () => systemClock.now(),
    run: async (now) => ({
      rolled: await rollUpTopics(hot, now),
      cards: await sendTopicCards({ topics: hot.topics, senders: deps.senders }, now),
    }),
    onRun: (result) => log.info(result, 'hot topics done'),
    onError: (error) => log.error({ error: error.message }, 'hot topics job error'),
  });
  return {
    async close() {
      await job.close();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

export async function startWorkerSide(deps: {
  config: Config;
  db: Database;
  log: Logger;
}): Promise<Workers> {
  const { config, db, log } = deps;
  const connection = { url: config.redisUrl, maxRetriesPerRequest: null };
  const maintenance = await startMaintenance({
    connection,
    prefix: QUEUE_PREFIX,
    now: () => systemClock.now(),
    tasks: {
      sealAudit: (now) => sealAllCommunities(db, now),
      prune: (cutoffs) => pruneExpired(db, cutoffs),
      retain: (now) => pruneRetained(db, now),
    },
    onRun: (result) => log.info(result, 'maintenance done'),
    onError: (error) => log.error({ error: error.message }, 'maintenance error'),
  });
  const hotTopics = await startHotTopicsWork({ config, db, log, senders: senders(config) });
  const alongside = [maintenance, hotTopics];
  try {
    return await startWorkers(
      {
        clock: systemClock,
        ids: uuidSource,
        ...databasePorts(db),
        senders: senders(config),
        log,
        // PUBLIC_URL enters the core here: without it, cards carry no board link.
        boardLinks: config.publicUrl
          ? { publicUrl: config.publicUrl, keys: boardKeys(db) }
          : undefined,
      },
      { connection: config.redisUrl, prefix: QUEUE_PREFIX, alongside },
    );
  } catch (error) {
    for (const other of alongside) await other.close();
    throw error;
  }
}
