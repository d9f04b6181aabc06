/**
 * An escalation level reached by an overdue resolution: recorded once per
 * ladder step (NoticeSent), with the resolution's level raised, an audit
 * entry, and the resolution card republished so the bound chats show the
 * badge. Work finished in the meantime is not escalated (the step is still
 * recorded, so it is not retried).
 */
import type { EscalationLevel } from '../domain/escalation.ts';
import type { IdSource } from './ports/clock.ts';
import type { NoticeLedger } from './ports/schedule.ts';

export type EscalateInput = {
  /** The ladder step's key (its job id), recorded in NoticeSent. */
  key: string;
  proposalId: string;
  communityId: string;
  number: number;
  level: EscalationLevel;
  /** How many private chats the level was pushed to (for the audit entry). */
  recipients: number;
  now: Date;
};

export type EscalateOutcome =
  | { kind: 'escalated'; level: EscalationLevel; previousLevel: number }
  /** Already recorded: a repeated or rebuilt job. */
  | { kind: 'already_recorded' }
  /** Done (or gone) before the step was recorded: the ladder has stopped. */
  | { kind: 'finished' };

export async function escalateResolution(
  deps: { ids: IdSource; ledger: NoticeLedger },
  input: EscalateInput,
): Promise<EscalateOutcome> {
  const result = await deps.ledger.record(
    input.key,
    input.now,
    async (tx): Promise<EscalateOutcome> => {
      const r = await tx.lockResolution(input.proposalId);
      if (!r || r.state === 'done' || r.state === 'evaluated') return { kind: 'finished' };
      const level = Math.max(r.escalationLevel, input.level);
      await tx.setEscalationLevel(r.id, level);
      await tx.appendAudit({
        communityId: input.communityId,
        actor: 'system',
        action: 'resolution.escalated',
        subject: `resolution:${r.id}`,
        payload: {
          level: input.level,
          previousLevel: r.escalationLevel,
          recipients: input.recipients,
          key: input.key,
        },
        at: input.now,
      });
      await tx.recordPublications(
        [
          {
            id: deps.ids.next(),
            communityId: input.communityId,
            number: input.number,
            kind: 'resolution_card',
          },
        ],
        input.now,
      );
      return { kind: 'escalated', level: input.level, previousLevel: r.escalationLevel };
    },
  );
  return result.recorded ? result.outcome : { kind: 'already_recorded' };
}
