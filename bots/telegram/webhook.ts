/**
 * `POST /telegram/webhook` on the one express app. The secret header is
 * compared in constant time before the body is parsed (grammY checks it
 * again); the update is handled inside the request, and the request fails
 * (5xx) when handling fails or outlasts `timeoutMs`, so Telegram redelivers.
 *
 * A button press is answered in the response body (`{"method":
 * "answerCallbackQuery", ...}`), which Telegram carries out as if it were
 * called: the 200 goes out as soon as the answer is known, and the answer
 * costs no request of its own. Telegram tells nothing of how that call
 * went; a lost answer is a lost notice, never a lost effect.
 */
import { timingSafeEqual } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { type Bot, webhookCallback } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from 'pino';
import type { YishiContext } from './context.ts';

export const WEBHOOK_PATH = '/telegram/webhook';

const SECRET_HEADER = 'X-Telegram-Bot-Api-Secret-Token';

/** Constant-time comparison; without a configured secret every request passes (polling setups). */
function secretMatches(given: string | undefined, secret: string | undefined): boolean {
  if (secret === undefined) return true;
  if (given === undefined) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(secret);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * grammY's express adapter, except for a webhook reply that comes after the
 * request was answered: past `timeoutMs` it was answered 5xx, Telegram
 * redelivers the update, and the redelivery answers (the use case gives it
 * the same outcome). Writing to the finished response would fail the late
 * handler for nothing.
 */
function expressAdapter(log: Logger) {
  return (req: Request, res: Response) => ({
    update: req.body as Update,
    header: req.header(SECRET_HEADER),
    end: () => {
      if (!res.headersSent) res.end();
    },
    respond: (json: string) => {
      if (res.headersSent) {
        log.info({ updateId: (req.body as Update).update_id }, 'late webhook reply dropped');
        return;
      }
      res.status(200).type('application/json').send(json);
    },
    unauthorized: () => {
      res.status(401).json({ error: 'unauthorized' });
    },
  });
}

export function mountWebhook(
  app: Express,
  bot: Bot<YishiContext>,
  options: { secret: string | undefined; timeoutMs: number; log: Logger },
): void {
  const callback = webhookCallback(bot, expressAdapter(options.log), {
    secretToken: options.secret,
    onTimeout: 'throw',
    timeoutMilliseconds: options.timeoutMs,
  });
  app.post(
    WEBHOOK_PATH,
    (req: Request, res: Response, next: NextFunction) => {
      if (secretMatches(req.header(SECRET_HEADER), options.secret)) return next();
      res.status(401).json({ error: 'unauthorized' });
    },
    express.json({ limit: '1mb' }),
    callback,
    (error: unknown, _req: Request, res: Response, _next: NextFunction) => {
      const status = (error as { status?: unknown }).status;
      if (typeof status === 'number' && status >= 400 && status < 500) {
        // A body that is not an update: nothing to retry.
        if (!res.headersSent) res.status(status).json({ error: 'bad request' });
        return;
      }
      // Not answered 200: Telegram redelivers, and the update's effect happens once.
      options.log.error({ err: error }, 'telegram update failed');
      if (!res.headersSent) res.status(500).json({ error: 'update not processed' });
    },
  );
}
