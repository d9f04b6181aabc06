import { createHash } from 'node:crypto';
import type { AuditInput } from '../app/ports.ts';
import { canonicalJson } from '../domain/audit-chain.ts';
import type { Prisma } from './generated/prisma/client.ts';

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/** Appends an unsealed audit entry inside the caller's transaction. */
export async function appendAudit(tx: Prisma.TransactionClient, entry: AuditInput): Promise<void> {
  // Hash exactly what JSONB will give back (dates become ISO strings), so
  // verification recomputes the same hash from the stored payload.
  const payload = JSON.parse(JSON.stringify(entry.payload)) as Record<string, unknown>;
  await tx.auditEntry.create({
    data: {
      communityId: entry.communityId,
      actor: entry.actor,
      action: entry.action,
      subject: entry.subject,
      payload: payload as Prisma.InputJsonObject,
      payloadHash: sha256(canonicalJson(payload)),
      at: entry.at,
    },
  });
}
