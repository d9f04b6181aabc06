/**
 * Answering a platform's delivery once, and never not at all. Platforms
 * redeliver (Telegram when the webhook did not answer 200 in time, Slack
 * retries events and a client may post an interaction twice), and two
 * deliveries may run at once; the use case is idempotent by the turn's key,
 * and the reply is claimed in PostgreSQL before it is sent, so only one
 * delivery answers.
 *
 * The claim says a reply is owed; the send marks it sent. A send that fails
 * gives the claim back and fails the delivery, so a redelivery answers. A
 * delivery that died between the claim and the mark (a crash, a kill) leaves
 * the reply owed: a redelivery after the lease takes it over and sends it.
 * The one duplicate left is a death after the send and before the mark (no
 * platform API takes an idempotency key to close it).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ChatStore } from '../app/ports/chat.ts';
import type { Clock } from '../app/ports/clock.ts';
import { YishiError } from '../errors.ts';

/**
 * How long a claimed reply belongs to the delivery that claimed it. A send
 * may retry 429s for up to about 30 s; an owed claim older than this was
 * left by a delivery that died, and is taken over.
 */
export const REPLY_LEASE_MS = 60_000;
/**
 * A duplicate delivery waits this long for the other one's send (usually a
 * few ms) before failing, so that the platform asks again later rather than
 * take a success for a reply that may still fail.
 */
const IN_FLIGHT_WAIT_MS = 1_000;
const IN_FLIGHT_POLL_MS = 25;

/** What the structured logs of an adapter take (pino's shape). */
export type ReplyLog = {
  info(fields: object, message: string): void;
  warn(fields: object, message: string): void;
};

export type ReplyOnceDeps = {
  chats: Pick<ChatStore, 'claimReply' | 'replySent' | 'releaseReply'>;
  clock: Clock;
  log: ReplyLog;
  /** Default {@link REPLY_LEASE_MS}. */
  leaseMs?: number | undefined;
};

/** The reply's claim once it is this delivery's to send, or undefined when it was sent already. */
async function claim(deps: ReplyOnceDeps, key: string): Promise<string | undefined> {
  const leaseMs = deps.leaseMs ?? REPLY_LEASE_MS;
  const waitUntil = Date.now() + IN_FLIGHT_WAIT_MS;
  for (;;) {
    const claimed = await deps.chats.claimReply(key, deps.clock.now(), leaseMs);
    if (claimed.kind === 'owed') return claimed.token;
    if (claimed.kind === 'sent') return undefined;
    if (Date.now() >= waitUntil) {
      throw new YishiError('reply_in_flight', `reply ${key} is being sent by another delivery`);
    }
    await sleep(IN_FLIGHT_POLL_MS);
  }
}

/**
 * Runs `send` at most once per `key` across deliveries. An error that
 * `undeliverable` recognises (nobody to tell: retrying would not help) marks
 * the reply done; any other gives the claim back and is rethrown.
 */
export async function sendReplyOnce(
  deps: ReplyOnceDeps,
  key: string,
  send: () => Promise<void>,
  undeliverable: (error: unknown) => boolean = () => false,
): Promise<void> {
  const token = await claim(deps, key);
  if (token === undefined) return;
  try {
    await send();
  } catch (error) {
    if (!undeliverable(error)) {
      await deps.chats.releaseReply(key, token);
      throw error;
    }
    deps.log.info({ key, err: error }, 'reply not deliverable');
  }
  await deps.chats.replySent(key, token).catch((error: unknown) => {
    // The reply is out; failing the delivery now would only have it sent again after the lease.
    deps.log.warn({ err: error, key }, 'reply sent but not marked');
  });
}
