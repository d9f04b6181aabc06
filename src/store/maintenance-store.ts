/**
 * Housekeeping the workers run on a schedule: seal every community's audit
 * entries into its hash chain, and drop records that have served their
 * purpose (idempotency keys past Telegram's and Slack's redelivery windows,
 * outbox rows long relayed).
 */
import { sealAudit } from './audit-seal.ts';
import type { PrismaClient } from './generated/prisma/client.ts';

/** Seals pending audit entries of every community; returns how many entries were sealed. */
export async function sealAllCommunities(prisma: PrismaClient, now: Date): Promise<number> {
  const communities = await prisma.community.findMany({ select: { id: true } });
  let sealed = 0;
  for (const { id } of communities) sealed += await sealAudit(prisma, id, now);
  return sealed;
}

export type PruneCutoffs = {
  /** Idempotency records older than this go (keep at least 24 h: Telegram redelivers that long). */
  idempotencyBefore: Date;
  /** Outbox rows relayed before this go. */
  outboxBefore: Date;
};

export async function pruneExpired(
  prisma: PrismaClient,
  cutoffs: PruneCutoffs,
): Promise<{ idempotency: number; outbox: number }> {
  const [idempotency, outbox] = await Promise.all([
    prisma.idempotencyRecord.deleteMany({ where: { at: { lt: cutoffs.idempotencyBefore } } }),
    prisma.outbox.deleteMany({ where: { relayedAt: { lt: cutoffs.outboxBefore } } }),
  ]);
  return { idempotency: idempotency.count, outbox: outbox.count };
}
