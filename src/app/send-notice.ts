/**
 * A notice deadline that fired (a vote reminder, a due-date reminder, an
 * escalation level, the weekly digest): who hears of it, and what the audit
 * records. planNotice decides; sendNotice pushes, then records.
 *
 * Order: enqueue the pushes first, then record the notice (NoticeSent, audit,
 * escalation level) in one transaction. A crash between the two leaves the
 * notice unrecorded, so it is fired again and enqueues again: each push
 * carries a deterministic per-chat key, which the push queue dedupes and
 * records per chat, so nobody gets it twice. The other order would lose the
 * pushes of a crash after the commit, because a recorded notice is never
 * planned again.
 */
import { type EscalationLevel, ladderAudience } from '../domain/escalation.ts';
import { communityPolicy } from './core.ts';
import type { Deadline } from './deadline-plan.ts';
import {
  type EscalateInput,
  type EscalateOutcome,
  escalateResolution,
} from './escalate-resolution.ts';
import { noticePushKey } from './notice-push-key.ts';
import type { Clock, IdSource } from './ports/clock.ts';
import type { ChatTarget } from './ports/delivery.ts';
import type { NoticeKind, NoticePush, PushQueue } from './ports/queue.ts';
import type { DeadlineSubject, NoticeLedger, ScheduleReader } from './ports/schedule.ts';
import { type RecordNoticeInput, type RecordNoticeOutcome, recordNotice } from './record-notice.ts';

export type NoticeDeps = {
  clock: Clock;
  ids: IdSource;
  reader: ScheduleReader;
  ledger: NoticeLedger;
  push: PushQueue;
};

/** What recording the notice does once its pushes are queued. */
export type NoticeRecord =
  | { kind: 'notice'; input: RecordNoticeInput }
  | { kind: 'escalation'; input: EscalateInput };

export type NoticePlan =
  | { kind: 'notice'; pushes: NoticePush[]; record: NoticeRecord }
  /** The subject (or its resolution) is gone, or the deadline names no level: nothing to say. */
  | { kind: 'nothing'; reason: 'subject_missing' | 'resolution_missing' | 'level_unknown' };

export type SendNoticeOutcome =
  | { kind: 'sent'; pushes: number; recorded: RecordNoticeOutcome | EscalateOutcome }
  | { kind: 'nothing'; reason: Extract<NoticePlan, { kind: 'nothing' }>['reason'] };

function pushesTo(
  key: string,
  notice: NoticeKind,
  communityId: string,
  chats: readonly ChatTarget[],
  extra: { number?: number; detail?: number },
): NoticePush[] {
  return chats.map((chat) => ({
    kind: 'notice',
    key: noticePushKey(key, chat.platform, chat.chatId),
    notice,
    communityId,
    ...extra,
    platform: chat.platform,
    chatId: chat.chatId,
  }));
}

const isLevel = (n: number | null): n is EscalationLevel => n === 1 || n === 2 || n === 3;

/**
 * Who hears of a notice deadline and what the audit records (counts only:
 * who has not voted is nobody else's business). `subject` is null for the
 * digest. A state-change deadline (vote open/close, expiry, survey close) is
 * not a notice: passing one is a bug, and throws.
 */
export async function planNotice(
  deps: Pick<NoticeDeps, 'reader'>,
  d: Deadline,
  subject: DeadlineSubject | null,
  now: Date,
): Promise<NoticePlan> {
  const key = d.jobId;
  const communityId = d.communityId;
  const bindings = await deps.reader.bindings(communityId);
  const bound = bindings.map(({ platform, chatId }) => ({ platform, chatId }));
  const notice = (action: string, on: string, payload: Record<string, unknown>): NoticeRecord => ({
    kind: 'notice',
    input: { key, communityId, action, subject: on, payload, now },
  });
  const type = d.type;
  switch (type) {
    case 'digest': {
      // A chat bound after the digest's time was not there for it: its first is next week's.
      const before = bindings.filter((b) => b.boundAt <= d.dueAt);
      const pushes = pushesTo(key, 'digest', communityId, before, {});
      return {
        kind: 'notice',
        pushes,
        record: notice('digest.sent', `community:${communityId}`, {
          chats: pushes.length,
          dueAt: d.dueAt.toISOString(),
        }),
      };
    }
    case 'vote_reminder':
    case 'due_reminder':
    case 'escalation':
      break;
    case 'cosign_expiry':
    case 'vote_open':
    case 'vote_close':
    case 'survey_close':
      throw new Error(`planNotice: ${type} is a state change, not a notice`);
    default: {
      const unknown: never = type;
      throw new Error(`planNotice: unknown deadline type ${String(unknown)}`);
    }
  }

  if (!subject || d.number === null) return { kind: 'nothing', reason: 'subject_missing' };
  const number = d.number;
  const detail = d.detail ?? undefined;
  const extra = { number, ...(detail === undefined ? {} : { detail }) };
  const { proposal, resolution } = subject;

  if (type === 'vote_reminder') {
    const policy = communityPolicy(subject.community);
    const privately = await deps.reader.nonVoterChats(proposal.id, policy.voterUnit);
    return {
      kind: 'notice',
      pushes: [
        ...pushesTo(key, 'vote_reminder', communityId, bound, extra),
        ...pushesTo(key, 'vote_reminder_private', communityId, privately, extra),
      ],
      record: notice('vote.reminded', `proposal:${proposal.id}`, {
        beforeMs: d.detail,
        groupChats: bound.length,
        privateChats: privately.length,
      }),
    };
  }

  if (!resolution) return { kind: 'nothing', reason: 'resolution_missing' };
  if (type === 'due_reminder') {
    const lead = await deps.reader.audienceChats(communityId, resolution.leadUnitId, ['lead_unit']);
    return {
      kind: 'notice',
      pushes: [
        ...pushesTo(key, 'due_reminder', communityId, bound, extra),
        ...pushesTo(key, 'due_reminder', communityId, lead, extra),
      ],
      record: notice('resolution.reminded', `resolution:${resolution.id}`, {
        beforeMs: d.detail,
        groupChats: bound.length,
        privateChats: lead.length,
      }),
    };
  }

  // Escalation: the people of this level, in their private chats; the card shows the badge.
  const level = d.detail;
  if (!isLevel(level)) return { kind: 'nothing', reason: 'level_unknown' };
  const audience = ladderAudience({ kind: 'level', level });
  const people = await deps.reader.audienceChats(communityId, resolution.leadUnitId, audience);
  return {
    kind: 'notice',
    pushes: pushesTo(key, 'escalation', communityId, people, extra),
    record: {
      kind: 'escalation',
      input: {
        key,
        proposalId: proposal.id,
        communityId,
        number,
        level,
        recipients: people.length,
        now,
      },
    },
  };
}

/** Plans a fired notice deadline, queues its pushes, then records it (see the module comment). */
export async function sendNotice(
  deps: NoticeDeps,
  d: Deadline,
  subject: DeadlineSubject | null,
): Promise<SendNoticeOutcome> {
  const plan = await planNotice(deps, d, subject, deps.clock.now());
  if (plan.kind === 'nothing') return plan;
  // Notices are never urgent: they wait out the community's quiet hours.
  if (plan.pushes.length > 0) await deps.push.enqueue(plan.pushes, { urgent: false });
  const recorded =
    plan.record.kind === 'notice'
      ? await recordNotice({ ledger: deps.ledger }, plan.record.input)
      : await escalateResolution({ ids: deps.ids, ledger: deps.ledger }, plan.record.input);
  return { kind: 'sent', pushes: plan.pushes.length, recorded };
}
