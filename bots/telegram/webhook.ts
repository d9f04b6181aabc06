/**
 * `POST /telegram/webhook`, served ahead of express (src/runtime/http-server.ts
 * `postAhead`): node's request as it comes. The secret header is compared in
 * constant time before the body is read (grammY checks it again); a body that
 * is not JSON, or over 1 MB, is refused (4xx: nothing to retry). The update is
 * handled inside the request, and the request fails (5xx) when handling
 * fails or outlasts `timeoutMs`, so Telegram redelivers.
 *
 * A button press is answered in the response body (`{"method":
 * "answerCallbackQuery", ...}`), which Telegram carries out as if it were
 * called: the 200 goes out as soon as the answer is known, and the answer
 * costs no request of its own. Telegram tells nothing of how that call
 * went; a lost answer is a lost notice, never a lost effect.
 */
import { timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { type Bot, webhookCallback } from 'grammy';
import type { Update } from 'grammy/types';
import type { Logger } from 'pino';
import getRawBody from 'raw-body';
import type { YishiContext } from './context.ts';

export const WEBHOOK_PATH = '/telegram/webhook';

/** As node gives header names: lower case. */
const SECRET_HEADER = 'x-telegram-bot-api-secret-token';

/** As express.json's limit was: Telegram's updates are a few KB. */
export const WEBHOOK_BODY_LIMIT_BYTES = 1024 * 1024;

/** Where the webhook is served: the HTTP app's routes ahead of express. */
export type WebhookHost = {
  postAhead(path: string, handler: (req: IncomingMessage, res: ServerResponse) => void): void;
};

/** Constant-time comparison; without a configured secret every request passes (polling setups). */
function secretMatches(given: string | string[] | undefined, secret: Buffer | undefined): boolean {
  if (secret === undefined) return true;
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  return a.length === secret.length && timingSafeEqual(a, secret);
}

function answer(res: ServerResponse, status: number, json: string): void {
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(json),
  });
  res.end(json);
}

const UNAUTHORIZED = '{"error":"unauthorized"}';
const BAD_REQUEST = '{"error":"bad request"}';
const TOO_LARGE = '{"error":"body too large"}';
const NOT_PROCESSED = '{"error":"update not processed"}';

/**
 * The parsed update grammY gets, and how it answers. A webhook reply that
 * comes after the request was answered is dropped: past `timeoutMs` it was
 * answered 5xx, Telegram redelivers the update, and the redelivery answers
 * (the use case gives it the same outcome). Writing to the finished response
 * would fail the late handler for nothing.
 */
function nodeAdapter(log: Logger) {
  return (update: Update, header: string | undefined, res: ServerResponse) => ({
    update,
    header,
    end: () => {
      if (!res.headersSent) res.writeHead(200, { 'content-length': 0 }).end();
    },
    respond: (json: string) => {
      if (res.headersSent) {
        log.info({ updateId: update.update_id }, 'late webhook reply dropped');
        return;
      }
      answer(res, 200, json);
    },
    unauthorized: () => {
      if (!res.headersSent) answer(res, 401, UNAUTHORIZED);
    },
  });
}

/** The webhook's request handler, for `host.postAhead(WEBHOOK_PATH, ...)`. */
export function webhookHandler(
  bot: Bot<YishiContext>,
  options: { secret: string | undefined; timeoutMs: number; log: Logger },
): (req: IncomingMessage, res: ServerResponse) => void {
  const { log } = options;
  const secret = options.secret === undefined ? undefined : Buffer.from(options.secret);
  const callback = webhookCallback(bot, nodeAdapter(log), {
    secretToken: options.secret,
    onTimeout: 'throw',
    timeoutMilliseconds: options.timeoutMs,
  });
  const failed = (res: ServerResponse) => (error: unknown) => {
    // Not answered 200: Telegram redelivers, and the update's effect happens once.
    log.error({ err: error }, 'telegram update failed');
    if (!res.headersSent) answer(res, 500, NOT_PROCESSED);
  };

  return (req, res) => {
    const header = req.headers[SECRET_HEADER];
    if (!secretMatches(header, secret)) {
      // The body is drained unread, so the connection stays usable.
      req.resume();
      answer(res, 401, UNAUTHORIZED);
      return;
    }
    // raw-body, as express's JSON parser used: the limit checked against content-length
    // before reading and as the body arrives, an aborted request told apart.
    getRawBody(req, {
      length: req.headers['content-length'],
      limit: WEBHOOK_BODY_LIMIT_BYTES,
      encoding: 'utf8',
    }).then(
      (text) => {
        let update: unknown;
        try {
          update = JSON.parse(text);
        } catch {
          update = undefined;
        }
        // A body that is not an update: nothing to retry.
        if (typeof update !== 'object' || update === null || Array.isArray(update)) {
          answer(res, 400, BAD_REQUEST);
          return;
        }
        // A promise (an async function), typed by an adapter's `handlerReturn`, which this one lacks.
        Promise.resolve(
          callback(update as Update, typeof header === 'string' ? header : undefined, res),
        ).catch(failed(res));
      },
      (error: unknown) => {
        if ((error as { type?: unknown }).type === 'entity.too.large') {
          // Answered, then the connection closed: the rest of the body is not read.
          res.setHeader('connection', 'close');
          answer(res, 413, TOO_LARGE);
          return;
        }
        // Aborted mid-body, or not the length it declared: nothing to retry.
        log.info({ err: error }, 'telegram webhook body not read');
        if (!res.headersSent) answer(res, 400, BAD_REQUEST);
      },
    );
  };
}
