import { createHash } from 'node:crypto';
import type { AuditInput } from '../app/ports/store.ts';
import { canonicalJson } from '../domain/audit-chain.ts';
import type { SqlSession } from './sql-session.ts';

export const sha256 = (text: string): string => createHash('sha256').update(text).digest('hex');

/**
 * The stored payload and its hash: exactly what JSONB will give back (dates
 * become ISO strings), so verification recomputes the same hash from the
 * stored payload.
 */
export function auditRow(entry: Pick<AuditInput, 'payload'>): {
  payload: Record<string, unknown>;
  payloadHash: string;
} {
  const payload = JSON.parse(JSON.stringify(entry.payload)) as Record<string, unknown>;
  return { payload, payloadHash: sha256(canonicalJson(payload)) };
}

/** Appends an unsealed audit entry in the session's transaction; deferred, as nothing reads it back there. */
export function deferAudit(db: SqlSession, entry: AuditInput): void {
  const { payload, payloadHash } = auditRow(entry);
  db.defer(
    `INSERT INTO "AuditEntry" ("communityId", actor, action, subject, payload, "payloadHash", at)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7)`,
    [
      entry.communityId,
      entry.actor,
      entry.action,
      entry.subject,
      JSON.stringify(payload),
      payloadHash,
      entry.at,
    ],
  );
}
