/**
 * The retention table (README "Personal data"): how long each kind of
 * operational record is kept before the hourly maintenance job deletes it.
 * Ballots, proposals, the roster and the audit chain are the community's
 * record and are not pruned (a household moving out is erased instead).
 */
import type { Database } from './database.ts';

const HOUR_MS = 3600_000;
const DAY_MS = 24 * HOUR_MS;

/** Each row of the README's table: the age past which a record goes. */
export const RETENTION_MS = {
  /** Update/event ids and reply claims: past Telegram's 24 h redelivery window with a margin. */
  idempotency: 48 * HOUR_MS,
  /** Outbox rows, counted from when they were relayed. */
  outbox: 7 * DAY_MS,
  /** Join codes tried by an account (the watch rule looks back one day at most). */
  joinAttempts: 7 * DAY_MS,
  /** Chats the platform refused: a later push tries again and records it anew if still refused. */
  deliveryProblems: 30 * DAY_MS,
  /** Group upgrades (old chat id to new): pushes queued for the old id are long gone. */
  chatMigrations: 30 * DAY_MS,
  /** Hot-topic days and volumes: the rule reads 35 days (7 + 28 before). */
  hotTopicDays: 56 * DAY_MS,
  /** Card messages not edited for this long: a later change posts a fresh card. */
  cardMessages: 90 * DAY_MS,
  /** Watch alerts raised (their audit entries stay). */
  watchAlerts: 90 * DAY_MS,
  /** Notices sent: far past any reminder, ladder step or digest that could fire again. */
  noticesSent: 180 * DAY_MS,
} as const;

export type RetentionKind = keyof typeof RETENTION_MS;

const before = (now: Date, kind: RetentionKind) => new Date(now.getTime() - RETENTION_MS[kind]);

/**
 * Kinds the maintenance job's own prune step deletes (pruneExpired, with the
 * same ages: the retention test checks they agree), right before this runs.
 */
type PrunedByMaintenance = 'idempotency' | 'outbox';

/**
 * Deletes every other record past its retention at `now`; returns the rows
 * deleted per kind. Idempotent: a second run at the same time deletes nothing.
 */
export async function pruneRetained(
  { sql }: Pick<Database, 'sql'>,
  now: Date,
): Promise<Record<Exclude<RetentionKind, PrunedByMaintenance>, number>> {
  const run = (text: string, kind: RetentionKind) => sql.execute(text, [before(now, kind)]);
  const hotTopicDays =
    (await run('DELETE FROM "HotTopicDay" WHERE day < $1::date', 'hotTopicDays')) +
    (await run('DELETE FROM "HotTopicVolume" WHERE day < $1::date', 'hotTopicDays'));
  // A term with no day left names nothing any more.
  await sql.execute(
    `DELETE FROM "HotTopicTerm" t WHERE NOT EXISTS (SELECT 1 FROM "HotTopicDay" d WHERE d."termId" = t.id)`,
  );
  return {
    joinAttempts: await run('DELETE FROM "JoinAttempt" WHERE at < $1', 'joinAttempts'),
    deliveryProblems: await run('DELETE FROM "DeliveryProblem" WHERE at < $1', 'deliveryProblems'),
    chatMigrations: await run('DELETE FROM "ChatMigration" WHERE at < $1', 'chatMigrations'),
    hotTopicDays,
    cardMessages: await run('DELETE FROM "CardMessage" WHERE "updatedAt" < $1', 'cardMessages'),
    watchAlerts: await run('DELETE FROM "WatchAlert" WHERE at < $1', 'watchAlerts'),
    noticesSent: await run('DELETE FROM "NoticeSent" WHERE at < $1', 'noticesSent'),
  };
}
