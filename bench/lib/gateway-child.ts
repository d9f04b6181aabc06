/**
 * The web side of the gateway, composed as the composition root does it
 * (express app of src/runtime, the Telegram adapter mounted in webhook mode,
 * Prisma stores on PostgreSQL), for when `src/runtime/main.ts` does not mount
 * the webhook yet. Its own process, so its CPU is its own.
 *
 *   env DATABASE_URL, PORT, TELEGRAM_BOT_TOKEN, TELEGRAM_WEBHOOK_SECRET, TELEGRAM_API_ROOT, LOG_LEVEL
 */
import { z } from 'zod';
import { createTelegramAdapter } from '../../bots/telegram/index.ts';
import { createHttpApp, listen } from '../../src/runtime/http-server.ts';
import { createLogger } from '../../src/runtime/logger.ts';
import { createMetrics } from '../../src/runtime/metrics.ts';
import { systemClock, uuidSource } from '../../src/runtime/system.ts';
import { prismaChatStore } from '../../src/store/chat-store.ts';
import { openDatabase, pingDatabase } from '../../src/store/database.ts';
import { prismaDeliberationStore } from '../../src/store/deliberation-store.ts';
import { prismaJoinCodeStore } from '../../src/store/roster-store.ts';
import { prismaStatusReader } from '../../src/store/status-store.ts';

async function main(): Promise<void> {
  const env = z
    .object({
      DATABASE_URL: z.string(),
      PORT: z.coerce.number().int(),
      TELEGRAM_BOT_TOKEN: z.string(),
      TELEGRAM_WEBHOOK_SECRET: z.string(),
      TELEGRAM_API_ROOT: z.string(),
      LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']),
    })
    .parse(process.env);
  const log = createLogger(env.LOG_LEVEL);
  const db = await openDatabase({ kind: 'postgres', url: env.DATABASE_URL });
  const core = { clock: systemClock, ids: uuidSource, store: prismaDeliberationStore(db.prisma) };
  const adapter = await createTelegramAdapter({
    token: env.TELEGRAM_BOT_TOKEN,
    apiRoot: env.TELEGRAM_API_ROOT,
    webhookSecret: env.TELEGRAM_WEBHOOK_SECRET,
    deps: {
      core,
      joinCodes: { clock: systemClock, ids: uuidSource, joinCodes: prismaJoinCodeStore(db.prisma) },
      status: prismaStatusReader(db.prisma),
      chats: prismaChatStore(db.prisma),
      log,
    },
  });
  const app = createHttpApp({
    metrics: createMetrics(),
    health: async () => ({ db: await pingDatabase(db) }),
  });
  adapter.mount(app);
  const server = await listen(app, env.PORT);
  log.info({ port: env.PORT }, 'yishi listening');
  process.once('SIGTERM', () => {
    server.close();
    void adapter
      .stop()
      .then(() => db.close())
      .then(() => process.exit(0));
  });
}

if (import.meta.url === `file://${process.argv[1]}`) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(2);
  });
}
