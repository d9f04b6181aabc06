/**
 * The push queue's name and job ids, shared by producer and processor.
 * Ids are deterministic and versioned (`v1-`), never contain `:` and are
 * never all digits (BullMQ rules).
 *
 * Card pushes coalesce: every change of one card in one chat within the
 * same `coalesceMs` bucket maps to one job, which runs after the bucket has
 * ended and renders the state as it is then. Only edits wait so: a card's
 * first push to a chat (the card is new there) runs at once.
 */
import { createHash } from 'node:crypto';
import type { CardPush, NoticePush } from './push-request.ts';

export const PUSH_QUEUE = 'push';

/** Default width of a coalescing bucket: a card is edited at most about once per bucket. */
export const DEFAULT_COALESCE_MS = 3_000;

/** Ids and chat ids are plain except in odd cases; those parts are hashed. */
const safe = (part: string) =>
  /^[A-Za-z0-9_-]{1,100}$/.test(part)
    ? part
    : `h${createHash('sha256').update(part).digest('hex').slice(0, 24)}`;

/** The card in one chat, independent of time: also its lock key. */
export function cardKeyOf(push: CardPush): string {
  return [safe(push.communityId), push.number, push.card, push.platform, safe(push.chatId)].join(
    '-',
  );
}

/**
 * A card push job: `q` buckets are pushes held back by quiet hours (all
 * collapse into the job that runs when they end), `b` buckets are the rest.
 */
export function cardJobId(push: CardPush, bucket: number, quiet: boolean): string {
  return `v1-card-${cardKeyOf(push)}-${quiet ? 'q' : 'b'}${bucket}`;
}

/**
 * The job of a card's first push to its chat, which runs at once. The bucket
 * is in the id so a repeat of that push within the bucket stays one job,
 * while a failed job kept under the same card's id never swallows a later one.
 */
export function newCardJobId(push: CardPush, bucket: number): string {
  return `v1-card-${cardKeyOf(push)}-n${bucket}`;
}

/** The key (under the queue's prefix) that marks a card as pushed to its chat recently. */
export function cardPushedKey(prefix: string, push: CardPush): string {
  return `${prefix}:push:pushed:${cardKeyOf(push)}`;
}

/** A notice push job: the notice key already names one notice for one chat. */
export function noticeJobId(push: NoticePush): string {
  return `v1-notice-${push.key}`;
}
