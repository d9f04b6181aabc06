/**
 * A reminder or digest that went out: recorded once (NoticeSent) with an
 * audit entry that holds counts only, never who was reminded.
 */
import type { NoticeLedger } from './ports/schedule.ts';

export type RecordNoticeInput = {
  /** The notice's key (its job id). */
  key: string;
  communityId: string;
  /** Dotted action: `vote.reminded`, `resolution.reminded`, `digest.sent`. */
  action: string;
  /** `proposal:<id>`, `resolution:<id>`, `community:<id>`. */
  subject: string;
  payload: Record<string, unknown>;
  now: Date;
};

export type RecordNoticeOutcome = { kind: 'recorded' } | { kind: 'already_recorded' };

export async function recordNotice(
  deps: { ledger: NoticeLedger },
  input: RecordNoticeInput,
): Promise<RecordNoticeOutcome> {
  const result = await deps.ledger.record(input.key, input.now, async (tx) => {
    await tx.appendAudit({
      communityId: input.communityId,
      actor: 'system',
      action: input.action,
      subject: input.subject,
      payload: { ...input.payload, key: input.key },
      at: input.now,
    });
  });
  return result.recorded ? { kind: 'recorded' } : { kind: 'already_recorded' };
}
