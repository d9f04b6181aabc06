/**
 * `POST /telegram/webhook` on the one express app. The secret header is
 * compared in constant time before the body is parsed (grammY checks it
 * again); the update is handled inside the request, and the request fails
 * (5xx) when handling fails or outlasts `timeoutMs`, so Telegram redelivers.
 */
import { timingSafeEqual } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { type Bot, webhookCallback } from 'grammy';
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

export function mountWebhook(
  app: Express,
  bot: Bot<YishiContext>,
  options: { secret: string | undefined; timeoutMs: number; log: Logger },
): void {
  const callback = webhookCallback(bot, 'express', {
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
