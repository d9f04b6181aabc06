/**
 * Housekeeping the workers run on a schedule: seal every community's audit
 * entries into its hash chain, and drop records that have served their
 * purpose (idempotency keys past Telegram's and Slack's redelivery windows,
 * outbox rows long relayed).
 */
import { sealAudit } from './audit-seal.ts';
import type { Database } from './database.ts';

/** Seals pending audit entries of every community; returns how many entries were sealed. */
export async function sealAllCommunities(
  { sql }: Pick<Database, 'sql'>,
  now: Date,
): Promise<number> {
  const communities = await sql.query<{ id: string }>('SELECT id FROM "Community" ORDER BY id');
  let sealed = 0;
  for (const { id } of communities) sealed += await sealAudit(sql, id, now);
  return sealed;
}

export type PruneCutoffs = {
  /** Idempotency records older than this go (keep at least 24 h: Telegram redelivers that long). */
  idempotencyBefore: Date;
  /** Outbox rows relayed before this go. */
  outboxBefore: Date;
};

export async function pruneExpired(
  { sql }: Pick<Database, 'sql'>,
  cutoffs: PruneCutoffs,
): Promise<{ idempotency: number; outbox: number }> {
  const idempotency = await sql.execute('DELETE FROM "IdempotencyRecord" WHERE at < $1', [
    cutoffs.idempotencyBefore,
  ]);
  const outbox = await sql.execute('DELETE FROM "Outbox" WHERE "relayedAt" < $1', [
    cutoffs.outboxBefore,
  ]);
  return { idempotency, outbox };
}
