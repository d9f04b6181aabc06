/**
 * `POST /slack/events` on the one express app. Bolt's receiver checks the
 * v0 signature (HMAC-SHA256 of `v0:{timestamp}:{body}` with the signing
 * secret) and refuses timestamps more than 5 minutes old; this check runs
 * before it and also refuses timestamps more than 5 minutes ahead, so a
 * request signed for later cannot be replayed then.
 */
import type { NextFunction, Request, Response } from 'express';

export const EVENTS_PATH = '/slack/events';

/** How far a request's timestamp may be from our clock, either way. */
export const MAX_CLOCK_SKEW_SECONDS = 5 * 60;

export function refuseStaleRequests(req: Request, res: Response, next: NextFunction): void {
  const header = req.header('x-slack-request-timestamp') ?? '';
  const sentAt = /^\d{1,12}$/.test(header) ? Number(header) : Number.NaN;
  const skew = Math.abs(Date.now() / 1000 - sentAt);
  if (Number.isFinite(skew) && skew <= MAX_CLOCK_SKEW_SECONDS) {
    next();
    return;
  }
  res.status(401).send();
}
