/**
 * The product under test, as it runs in production: `src/runtime/main.ts`
 * in its own process, pointed at the scenario's database and Redis, with the
 * Telegram bot in webhook mode against a fake Bot API. While main.ts does not
 * mount the webhook yet, bench/lib/gateway-child.ts composes the same parts.
 */
import { freePort } from '../../tests/support/processes.ts';
import { type Child, startTsChild } from './child.ts';

export const WEBHOOK_SECRET = 'bench-webhook-secret';
export const BOT_TOKEN = '7000000001:bench-token';

export type Gateway = Child & {
  url: string;
  webhookUrl: string;
  /** `main.ts` or `bench composition`. */
  entry: string;
};

async function webhookMounted(webhookUrl: string): Promise<boolean> {
  const res = await fetch(webhookUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: '{}',
  });
  await res.arrayBuffer();
  return res.status !== 404;
}

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
  let port = await freePort();
  const main = await startTsChild('src/runtime/main.ts', [options.mode], env(port), ready);
  let url = `http://127.0.0.1:${port}`;
  if (await webhookMounted(`${url}/telegram/webhook`)) {
    return { ...main, url, webhookUrl: `${url}/telegram/webhook`, entry: 'main.ts' };
  }
  await main.stop();
  port = await freePort();
  url = `http://127.0.0.1:${port}`;
  const composed = await startTsChild('bench/lib/gateway-child.ts', [], env(port), ready);
  return { ...composed, url, webhookUrl: `${url}/telegram/webhook`, entry: 'bench composition' };
}

export const webhookHeaders = { 'x-telegram-bot-api-secret-token': WEBHOOK_SECRET };
