/**
 * The product under test, as it runs in production: `src/runtime/main.ts`
 * in its own process, pointed at the scenario's database and Redis, with the
 * Telegram bot in webhook mode against a fake Bot API.
 */
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
  databaseUrl: string;
  redisUrl: string;
  botApiUrl: string;
  mode: 'all' | 'web';
  env?: NodeJS.ProcessEnv;
}): Promise<Gateway> {
  const env = (port: number): NodeJS.ProcessEnv => ({
    DATABASE_URL: options.databaseUrl,
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
  return { ...main, url, webhookUrl: `${url}/telegram/webhook`, entry: 'main.ts' };
}

export const webhookHeaders = { 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET };
