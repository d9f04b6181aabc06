/**
 * The composition root: config -> Redis -> database -> the HTTP side (health,
 * metrics, Telegram) and/or the worker side (deadlines, pushes, maintenance).
 * The one place that sees every layer.
 *
 *   tsx src/runtime/main.ts [all|web|worker]
 *
 * SIGTERM stops taking work, lets in-flight requests and jobs finish, and
 * exits; a shutdown that cannot finish (Redis gone) is cut off after
 * SHUTDOWN_TIMEOUT_MS so an orchestrator's restart is not held up.
 */
import { applyMigrations } from '../../prisma/migrate.ts';
import { checkRedisPolicy, type Workers } from '../../workers/index.ts';
import { type Config, ConfigError, loadConfig } from '../config.ts';
import { describeError, YishiError } from '../errors.ts';
import { openDatabase, pingDatabase } from '../store/database.ts';
import { deliberationStore } from '../store/deliberation-store.ts';
import { watchStore } from '../store/watch-store.ts';
import {
  createDependencyHealth,
  type Dependency,
  type DependencyHealth,
} from './dependency-health.ts';
import { createLogger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { watchProcessFaults } from './process-faults.ts';
import { connectRedis, pingRedis } from './redis.ts';
import { systemClock, uuidSource } from './system.ts';
import { startWeb, type Web } from './web.ts';
import { startWorkerSide } from './workers.ts';

const SHUTDOWN_TIMEOUT_MS = 25_000;

type Mode = 'all' | 'web' | 'worker';

async function start(mode: Mode): Promise<void> {
  const config = loadConfig();
  // Bound below: the tracker logs through this logger, and the logger routes lost
  // connections to the tracker instead of printing them.
  let dependencies: DependencyHealth | undefined;
  const log = createLogger(config.logLevel, {
    absorb: (error) => dependencies?.absorb(error) ?? false,
  });
  const metrics = createMetrics();
  let probes: Record<Dependency, () => Promise<boolean>> | undefined;
  const tracker = createDependencyHealth({
    log,
    metrics,
    probes: {
      database: () => probes?.database() ?? Promise.resolve(false),
      redis: () => probes?.redis() ?? Promise.resolve(false),
    },
    ports: listeningPorts(config),
  });
  dependencies = tracker;
  watchProcessFaults({ log, metrics, health: tracker });

  const redis = await connectRedis(config.redisUrl, {
    onError: (error) => tracker.failed('redis', error),
    onReady: () => tracker.answered('redis'),
  }).catch((cause: unknown) => {
    throw new YishiError(
      'redis_unreachable',
      `REDIS_URL: cannot reach Redis at ${config.redisUrl} (${describeError(cause)}); start one with \`redis-server --daemonize yes\` or point REDIS_URL at a running Redis`,
      { cause },
    );
  });

  // Before the database: an evicting Redis would silently lose deadlines, and the person
  // running a worker should hear so at once.
  if (mode !== 'web') {
    await checkRedisPolicy(redis).catch((error: unknown) => {
      redis.disconnect();
      throw error;
    });
  }

  const db = await openDatabase(config.database, {
    onConnectionError: (error) => tracker.failed('database', error),
    timeouts: config.databaseTimeouts,
    // Two servers on one embedded directory would corrupt it; CLI commands go through this one.
    exclusive: true,
  }).catch((cause: unknown) => {
    if (cause instanceof YishiError && cause.code === 'database_in_use') throw cause;
    throw new YishiError('db_unreachable', `cannot open the database: ${describeError(cause)}`, {
      cause,
    });
  });
  if (!(await pingDatabase(db))) {
    throw new YishiError(
      'db_unreachable',
      config.database.kind === 'postgres'
        ? 'DATABASE_URL: the database does not answer; check that PostgreSQL runs and the URL is right'
        : `the embedded database in ${config.database.dataDir} does not answer`,
    );
  }
  if (config.autoMigrate) {
    // Its own connection, closed as soon as the migrations are in: the schema engine's
    // advisory lock goes with it, so `yishi db migrate` elsewhere never waits on a running server.
    const applied = await applyMigrations(await db.migrationAdapter());
    log.info(
      { applied, database: db.kind },
      applied.length ? 'migrations applied' : 'database up to date',
    );
  }

  probes = { database: () => pingDatabase(db), redis: () => pingRedis(redis) };
  const core = {
    clock: systemClock,
    ids: uuidSource,
    store: deliberationStore(db),
    watch: watchStore(db),
  };
  let workers: Workers | undefined;
  let web: Web | undefined;
  try {
    if (mode !== 'web') workers = await startWorkerSide({ config, db, log });
    if (mode !== 'worker') {
      web = await startWeb({ config, db, redis, core, metrics, log, dependencies: tracker });
    }
  } catch (error) {
    await workers?.close().catch(() => {});
    redis.disconnect();
    await db.close().catch(() => {});
    throw error;
  }
  if (web) {
    log.info(
      { port: config.port, mode, database: db.kind, telegram: telegramMode(config) },
      'yishi listening',
    );
  } else {
    log.info({ mode, database: db.kind }, 'yishi worker started');
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    const cutoff = setTimeout(() => {
      log.warn({ afterMs: SHUTDOWN_TIMEOUT_MS }, 'shutdown did not finish in time; exiting');
      process.exit(1);
    }, SHUTDOWN_TIMEOUT_MS);
    cutoff.unref();
    const failed = (step: string) => (error: unknown) =>
      log.error({ err: error, step }, 'shutdown step failed');
    // The web side first: no new updates while the workers finish their jobs.
    await web?.close().catch(failed('web'));
    if (workers) {
      if (await pingRedis(redis)) {
        await workers.close().catch(failed('workers'));
      } else {
        // Without Redis no job can finish or hand back its lock; those in flight run again
        // on another worker once their lock expires (every job is idempotent).
        log.warn('Redis unreachable: in-flight jobs are left to be retried elsewhere');
      }
    }
    tracker.close();
    redis.disconnect();
    await db.close();
    log.info('stopped');
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

/** The ports PostgreSQL and Redis listen on, to tell whose refused connection an error is. */
function listeningPorts(config: Config): Partial<Record<Dependency, number>> {
  const portOf = (url: string, fallback: number) => {
    try {
      return Number(new URL(url).port || fallback);
    } catch {
      return undefined;
    }
  };
  const ports: Partial<Record<Dependency, number>> = {};
  const redisPort = portOf(config.redisUrl, 6379);
  if (redisPort !== undefined) ports.redis = redisPort;
  if (config.database.kind === 'postgres') {
    const databasePort = portOf(config.database.url, 5432);
    if (databasePort !== undefined) ports.database = databasePort;
  }
  return ports;
}

function telegramMode(config: Config): string {
  if (!config.telegram) return 'off (no TELEGRAM_BOT_TOKEN)';
  return config.publicUrl ? 'webhook' : 'polling';
}

const mode = (process.argv[2] ?? 'all') as string;
if (mode !== 'all' && mode !== 'web' && mode !== 'worker') {
  console.error(`unknown mode "${mode}": expected all, web or worker`);
  process.exit(2);
}

start(mode).catch((error: unknown) => {
  // A person reads this line: no stack trace for problems they can fix.
  if (error instanceof ConfigError || error instanceof YishiError) {
    console.error(`yishi: ${error.message}`);
  } else {
    console.error(error);
  }
  process.exit(2);
});
