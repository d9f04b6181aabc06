/**
 * The Telegram adapter: a grammY bot whose updates arrive by webhook at
 * `POST /telegram/webhook` on the one HTTP server (secret checked), or by
 * long polling in development; the conversation shared with every platform (src/chat); and the
 * {@link ChatSender} the workers' push queue posts cards with.
 *
 * Updates are handled inside the webhook request, so that a failure (the
 * database down) answers 5xx and Telegram redelivers; a redelivered update
 * has one effect (the use cases are idempotent by `tg-<botId>-<updateId>`)
 * and one reply (a message claimed in PostgreSQL; a button's answer in the
 * response body, which Telegram carries out at most once). The webhook answers within
 * `webhookTimeoutMs`: past it, it answers 5xx while the work goes on, and
 * the redelivery finds it done.
 */
import { autoRetry } from '@grammyjs/auto-retry';
import { Api, Bot } from 'grammy';
import type { UserFromGetMe } from 'grammy/types';
import type { ChatSender } from '../../src/app/ports/delivery.ts';
import type { TelegramDeps, YishiContext } from './context.ts';
import { conversationFeature } from './conversation.ts';
import { membershipFeature } from './features/membership.ts';
import { createTelegramSender } from './sender.ts';
import { turnMiddleware } from './turn.ts';
import { WEBHOOK_PATH, type WebhookHost, webhookHandler } from './webhook.ts';

export type { TelegramDeps } from './context.ts';

export { WEBHOOK_PATH } from './webhook.ts';

/**
 * The update kinds the bot handles; Telegram sends no others. `my_chat_member`
 * tells when the bot is removed from or added back to a chat.
 */
export const ALLOWED_UPDATES = ['message', 'callback_query', 'my_chat_member'] as const;

/**
 * Connections Telegram may open to the webhook at once (`max_connections`,
 * 1-100, 40 unless set). Telegram waits for each answer before it sends that
 * connection's next update, and the answer waits for the ballot's commit, so
 * a vote's pace is the connections over a ballot's time: the ballots that
 * arrive while a batch commits go together in the next (src/app/ballot-batcher.ts),
 * and more connections make larger batches (tally bench: about 1,950 votes/s
 * at 40, 2,400-2,600 at 100, on a 2-core machine; 1,900-2,600 on a slower one).
 */
export const WEBHOOK_MAX_CONNECTIONS = 100;

/**
 * The one call made in the webhook's response body rather than as its own
 * request: a button press's answer. It needs no result, and Telegram takes
 * at most one answer per callback query, so no reply claim is needed to
 * keep a redelivery from answering twice (see bots/telegram/reply.ts).
 * Every other call keeps its own request: a message's id is needed, and a
 * redelivered message would be sent again, so it goes through the claim.
 */
const answersInWebhookReply = (method: string) => method === 'answerCallbackQuery';

export type TelegramAdapterOptions = {
  token: string;
  /** Bot API server (`TELEGRAM_API_ROOT`); tests point it at a local fake. */
  apiRoot?: string | undefined;
  /** Checked against `X-Telegram-Bot-Api-Secret-Token`; required in webhook mode. */
  webhookSecret?: string | undefined;
  /** The bot's own user; when absent, `getMe` is called once at creation. */
  botInfo?: UserFromGetMe | undefined;
  /** The webhook answers by then (Telegram expects an answer within a few seconds). */
  webhookTimeoutMs?: number | undefined;
  deps: TelegramDeps;
};

export type TelegramAdapter = {
  bot: Bot<YishiContext>;
  /** Serves `POST /telegram/webhook` on the app, ahead of its express routes (webhook mode). */
  mount(app: WebhookHost): void;
  /** Asks Telegram to deliver updates to `publicUrl` + the webhook path, with the secret. */
  setWebhook(publicUrl: string): Promise<void>;
  /** Long polling (no PUBLIC_URL); resolves once polling has started. */
  startPolling(): Promise<void>;
  stop(): Promise<void>;
  /** For the push queue: one call per send/edit, no retries of its own. */
  sender: ChatSender;
};

/** Creates the bot, loads its identity once (unless given), and wires every feature. */
export async function createTelegramAdapter(
  options: TelegramAdapterOptions,
): Promise<TelegramAdapter> {
  const { deps } = options;
  const client = options.apiRoot ? { apiRoot: options.apiRoot } : {};
  const bot = new Bot<YishiContext>(options.token, {
    client: { ...client, canUseWebhookReply: answersInWebhookReply },
    ...(options.botInfo ? { botInfo: options.botInfo } : {}),
  });
  // Replies retry on 429 within a bounded wait; network and 5xx errors fail the
  // update instead, so Telegram redelivers it (and never hang a webhook in a retry loop).
  bot.api.config.use(
    autoRetry({
      maxRetryAttempts: 3,
      maxDelaySeconds: 10,
      rethrowHttpErrors: true,
      rethrowInternalServerErrors: true,
    }),
  );
  await bot.init();
  const botId = bot.botInfo.id;
  // The first query pays the database client's start-up; pay it here, not in the first webhook.
  await deps.chats
    .context('telegram', '0', { userId: '0', withIdentities: true })
    .catch((error: unknown) => deps.log.warn({ err: error }, 'database not reachable yet'));

  // Chat events (membership, group upgrades) first: the turn middleware passes only commands.
  bot.use(membershipFeature(deps));
  bot.use(turnMiddleware(deps, botId));
  bot.use(conversationFeature(deps));

  // The push queue paces itself: its Api must not retry on its own.
  const sender = createTelegramSender(new Api(options.token, client));
  let polling: Promise<void> | undefined;

  return {
    bot,
    sender,

    mount(app) {
      app.postAhead(
        WEBHOOK_PATH,
        webhookHandler(bot, {
          secret: options.webhookSecret,
          timeoutMs: options.webhookTimeoutMs ?? 1900,
          log: deps.log,
        }),
      );
    },

    async setWebhook(publicUrl) {
      await bot.api.setWebhook(`${publicUrl.replace(/\/+$/, '')}${WEBHOOK_PATH}`, {
        secret_token: options.webhookSecret,
        allowed_updates: [...ALLOWED_UPDATES],
        max_connections: WEBHOOK_MAX_CONNECTIONS,
      });
    },

    startPolling() {
      bot.catch((error) => {
        // Long polling is for development: a failed update is logged and skipped.
        deps.log.error(
          { err: error.error, updateId: error.ctx.update.update_id },
          'telegram update failed',
        );
      });
      return new Promise<void>((resolve, reject) => {
        polling = bot.start({
          allowed_updates: [...ALLOWED_UPDATES],
          onStart: () => resolve(),
        });
        polling.catch(reject);
      });
    },

    async stop() {
      if (bot.isRunning()) await bot.stop();
      await polling?.catch(() => {});
    },
  };
}
