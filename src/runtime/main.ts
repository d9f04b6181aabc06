/**
 * The composition root: config -> database -> Redis -> HTTP server (and, in
 * later steps, bots and workers). The one place that sees every layer.
 *
 *   tsx src/runtime/main.ts [all|web|worker]
 */
import type { Server } from 'node:http';
import { applyMigrations } from '../../prisma/migrate.ts';
import { ConfigError, loadConfig } from '../config.ts';
import { describeError, YishiError } from '../errors.ts';
import { openDatabase, pingDatabase } from '../store/database.ts';
import { createHttpApp, listen } from './http-server.ts';
import { createLogger } from './logger.ts';
import { createMetrics } from './metrics.ts';
import { connectRedis, pingRedis } from './redis.ts';

type Mode = 'all' | 'web' | 'worker';

async function start(mode: Mode): Promise<void> {
  const config = loadConfig();
  const log = createLogger(config.logLevel);

  const redis = await connectRedis(config.redisUrl).catch((cause: unknown) => {
    throw new YishiError(
      'redis_unreachable',
      `REDIS_URL: cannot reach Redis at ${config.redisUrl} (${describeError(cause)}); start one with \`redis-server --daemonize yes\` or point REDIS_URL at a running Redis`,
      { cause },
    );
  });

  const db = await openDatabase(config.database).catch((cause: unknown) => {
    throw new YishiError('db_unreachable', `cannot open the database: ${describeError(cause)}`, {
      cause,
    });
  });
  if (!(await pingDatabase(db))) {
    throw new YishiError(
      'db_unreachable',
      config.database.kind === 'postgres'
        ? 'DATABASE_URL: the database does not answer; check that PostgreSQL runs and the URL is right'
        : `cannot open the embedded database in ${config.database.dataDir} (is another yishi process using it?)`,
    );
  }
  if (config.autoMigrate) {
    const applied = await applyMigrations(db.adapterFactory);
    log.info(
      { applied, database: db.kind },
      applied.length ? 'migrations applied' : 'database up to date',
    );
  }

  const metrics = createMetrics();
  let server: Server | undefined;
  if (mode !== 'worker') {
    const app = createHttpApp({
      metrics,
      health: async () => {
        const [dbUp, redisUp] = await Promise.all([pingDatabase(db), pingRedis(redis)]);
        return { db: dbUp, redis: redisUp };
      },
    });
    server = await listen(app, config.port);
    log.info({ port: config.port, mode, database: db.kind }, 'yishi listening');
  } else {
    log.info({ mode, database: db.kind }, 'yishi worker started');
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info({ signal }, 'shutting down');
    await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
    redis.disconnect();
    await db.close();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
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
