/**
 * The product under test, as it runs in production: `src/runtime/main.ts`
 * in its own process, pointed at the scenario's database and Redis, with the
 * Telegram bot in webhook mode against a fake Bot API. With `embeddedHome`
 * instead of a URL it runs as `npm start` does by default: no DATABASE_URL,
 * its data directory under `YISHI_DATA_DIR` (the process opens and serves
 * the embedded PGlite database). With BENCH_GATEWAY_LOG=PREFIX its output is
 * written to PREFIX.<pid>.log when it stops.
 */
import { writeFile } from 'node:fs/promises';
import { freePort } from '../../tests/support/processes.ts';
import { type Child, startTsChild } from './child.ts';

export const WEBHOOK_SECRET = 'bench-webhook-secret';
export const BOT_TOKEN = '7000000001:bench-token';

export type Gateway = Child & {
  url: string;
  webhookUrl: string;
  /** What runs the gateway (reported with the figures). */
  entry: string;
};

export async function startGateway(options: {
  /** PostgreSQL; or */
  databaseUrl?: string;
  /** the embedded database in `<embeddedHome>/pglite`. */
  embeddedHome?: string;
  redisUrl: string;
  botApiUrl: string;
  mode: 'all' | 'web';
  env?: NodeJS.ProcessEnv;
}): Promise<Gateway> {
  const database = options.databaseUrl
    ? { DATABASE_URL: options.databaseUrl }
    : options.embeddedHome
      ? { YISHI_DATA_DIR: options.embeddedHome }
      : undefined;
  if (!database) throw new Error('startGateway: a databaseUrl or an embeddedHome');
  const env = (port: number): NodeJS.ProcessEnv => ({
    ...database,
    REDIS_URL: options.redisUrl,
    PORT: String(port),
    PUBLIC_URL: `http://127.0.0.1:${port}`,
    TELEGRAM_BOT_TOKEN: BOT_TOKEN,
    TELEGRAM_WEBHOOK_SECRET: WEBHOOK_SECRET,
    TELEGRAM_API_ROOT: options.botApiUrl,
    YISHI_AUTO_MIGRATE: '0',
    // The production default: whatever the product logs per request is part of its cost.
    LOG_LEVEL: 'info',
    ...options.env,
  });
  const ready = /yishi (listening|worker started)/;
  const port = await freePort();
  const main = await startTsChild('src/runtime/main.ts', [options.mode], env(port), ready);
  const url = `http://127.0.0.1:${port}`;
  const entry = options.databaseUrl ? 'main.ts' : 'main.ts on embedded PGlite';
  const logTo = process.env.BENCH_GATEWAY_LOG;
  const stop = async () => {
    await main.stop();
    // Its last megabyte of log, to see what an error answer was about.
    if (logTo) await writeFile(`${logTo}.${main.child.pid}.log`, main.output());
  };
  return { ...main, stop, url, webhookUrl: `${url}/telegram/webhook`, entry };
}

export const webhookHeaders = { 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET };
