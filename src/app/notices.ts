/**
 * The words of a notice (a reminder, an escalation level, the weekly digest)
 * for one chat, rendered from PostgreSQL when the push goes out, so it is
 * always current. `null` means the notice no longer applies (the vote has
 * closed, the household has voted, the work is done) and nothing is sent.
 * Reminders show the turnout so far and never who has not voted.
 */
import type { Policy } from '../domain/policy.ts';
import { ceilShare } from '../domain/ratio.ts';
import { formatDate, formatDateTime, type Locale, normalizeLocale, t } from '../i18n/translate.ts';
import { communityPolicy } from './core.ts';
import type { ButtonAction, MessageLine, OutboundMessage } from './ports/delivery.ts';
import type { NoticePush } from './ports/queue.ts';
import type { CommunityRecord, Platform } from './ports/store.ts';
import { type ProposalStatusView, type StatusReader, statusView } from './status.ts';
import { type WatchAlertReader, watchAlertMessage } from './watch-alert.ts';

/** What a notice push names: the push queue's NoticePush without its queue fields. */
export type NoticeRequest = Omit<NoticePush, 'kind' | 'key'>;

export type VoterStanding = 'not_voted' | 'voted' | 'not_eligible';

/** The reads a notice needs beyond the status view. */
export interface NoticeReader extends StatusReader, WatchAlertReader {
  /** The locale chosen for a chat: its binding's, else its /lang preference; null for neither. */
  chatLocale(platform: Platform, chatId: string): Promise<string | null>;
  /** Whether the person behind a private chat (their chat identity) still has to vote. */
  voterStanding(
    proposalId: string,
    communityId: string,
    platform: Platform,
    userId: string,
    voterUnit: Policy['voterUnit'],
  ): Promise<VoterStanding>;
  /** Ballots and co-signs cast in [from, to), and how many households they came from. */
  activity(
    communityId: string,
    from: Date,
    to: Date,
  ): Promise<{ ballots: number; cosigns: number; households: number }>;
}

const DAY_MS = 86_400_000;
const line = (key: MessageLine['key'], params: MessageLine['params'] = {}): MessageLine => ({
  key,
  params,
});
const message = (
  locale: Locale,
  lines: MessageLine[],
  progress: OutboundMessage['progress'] = null,
  buttons: ButtonAction[] = [],
): OutboundMessage => ({ locale, lines, progress, buttons });

const voteButtons = (number: number): ButtonAction[] =>
  (['for', 'against', 'abstain'] as const).map((choice) => ({ kind: 'vote', number, choice }));

type Context = { community: CommunityRecord; policy: Policy; locale: Locale; now: Date };

const when = (iso: string, c: Context) =>
  formatDateTime(new Date(iso), c.locale, c.community.timezone);

function voteReminder(view: ProposalStatusView, c: Context, own: boolean): OutboundMessage | null {
  if (view.state !== 'voting' || !view.votingClosesAt) return null;
  if (c.now >= new Date(view.votingClosesAt)) return null;
  const eligible = view.turnout?.eligible ?? view.eligible ?? 0;
  const voted = view.turnout?.ballots ?? 0;
  const closesAt = when(view.votingClosesAt, c);
  const lines = own
    ? [line('reminder.vote_private', { number: view.number, title: view.title, closesAt })]
    : [
        line('reminder.vote_closing', {
          number: view.number,
          title: view.title,
          closesAt,
          voted,
          eligible,
          turnout: eligible ? voted / eligible : 0,
          needed: ceilShare(c.policy.quorumRatio, eligible),
        }),
      ];
  return message(c.locale, lines, { value: voted, total: eligible }, voteButtons(view.number));
}

function unfinished(view: ProposalStatusView) {
  const r = view.resolution;
  return r && (r.state === 'assigned' || r.state === 'in_progress') ? r : null;
}

function dueReminder(view: ProposalStatusView, c: Context): OutboundMessage | null {
  const r = unfinished(view);
  if (!r || c.now >= new Date(r.dueAt)) return null;
  const days = Math.floor((new Date(r.dueAt).getTime() - c.now.getTime()) / DAY_MS);
  return message(
    c.locale,
    [
      line('reminder.resolution_due', {
        number: view.number,
        title: view.title,
        days,
        due: when(r.dueAt, c),
        percent: r.progress,
        lead: r.lead,
      }),
    ],
    { value: r.progress, total: 100 },
  );
}

function escalation(
  view: ProposalStatusView,
  level: number | undefined,
  c: Context,
): OutboundMessage | null {
  const r = unfinished(view);
  if (!r || (level !== 1 && level !== 2 && level !== 3)) return null;
  const days = Math.max(0, Math.floor((c.now.getTime() - new Date(r.dueAt).getTime()) / DAY_MS));
  return message(
    c.locale,
    [
      line(`escalation.push.${level}`, {
        number: view.number,
        title: view.title,
        due: when(r.dueAt, c),
        percent: r.progress,
        lead: r.lead,
        days,
      }),
    ],
    { value: r.progress, total: 100 },
  );
}

const COLLECTING = new Set(['collecting', 'agenda']);
const VOTING = new Set(['noticed', 'voting']);

async function digest(reader: NoticeReader, c: Context): Promise<OutboundMessage> {
  const from = new Date(c.now.getTime() - 7 * DAY_MS);
  const rows = await reader.open(c.community.id);
  const views = rows.map((row) => statusView(row, c.now, c.policy));
  const heading = line('digest.heading', {
    community: c.community.name,
    from: formatDate(from, c.locale, c.community.timezone),
    to: formatDate(c.now, c.locale, c.community.timezone),
  });
  const proposalLine = (v: ProposalStatusView) =>
    line('status.proposal_line', {
      number: v.number,
      title: v.title,
      state: t(c.locale, `state.proposal.${v.state}`),
    });
  const collecting = views.filter((v) => COLLECTING.has(v.state));
  const voting = views.filter((v) => VOTING.has(v.state));
  const resolutions = views.flatMap((v) => {
    const r = v.resolution;
    return r && r.state !== 'evaluated' ? [{ v, r }] : [];
  });
  const lines: MessageLine[] = [heading];
  if (collecting.length > 0) {
    lines.push(line('digest.section.collecting', { count: collecting.length }));
    lines.push(...collecting.map(proposalLine));
  }
  if (voting.length > 0) {
    lines.push(line('digest.section.voting', { count: voting.length }));
    lines.push(...voting.map(proposalLine));
  }
  if (resolutions.length > 0) {
    lines.push(line('digest.section.resolutions', { count: resolutions.length }));
    for (const { v, r } of resolutions) {
      const level = r.escalationLevel;
      lines.push(
        line('digest.resolution_line', {
          number: v.number,
          title: v.title,
          lead: r.lead,
          due: when(r.dueAt, c),
          percent: r.progress,
          state: t(c.locale, `state.resolution.${r.state}`),
          overdue: r.overdue,
          escalated: level >= 1 && level <= 3,
          label:
            level >= 1 && level <= 3 ? t(c.locale, `escalation.label.${level as 1 | 2 | 3}`) : '',
        }),
      );
    }
    const overdue = resolutions.filter(({ r }) => r.overdue).length;
    if (overdue > 0) lines.push(line('digest.section.overdue', { count: overdue }));
  }
  if (lines.length === 1) lines.push(line('digest.empty'));
  const activity = await reader.activity(c.community.id, from, c.now);
  lines.push(line('digest.participation', { ...activity }));
  return message(c.locale, lines);
}

/** The committee's news that the bot is back in a bound chat; null once it is unbound. */
async function chatRestored(
  reader: NoticeReader,
  request: NoticeRequest,
  c: Context,
): Promise<OutboundMessage | null> {
  const about = request.about;
  if (!about) return null;
  const bound = await reader.bindings(c.community.id);
  if (!bound.some((b) => b.platform === about.platform && b.chatId === about.chatId)) return null;
  return message(c.locale, [
    line('membership.chat_restored', { community: c.community.name, chat: about.chatId }),
  ]);
}

/**
 * Renders a notice for its chat at `now`, in the chat's locale (binding or
 * /lang, else the community's). Returns null when it no longer applies.
 */
export async function renderNotice(
  reader: NoticeReader,
  request: NoticeRequest,
  now: Date,
): Promise<OutboundMessage | null> {
  const community = await reader.community(request.communityId);
  if (!community) return null;
  const chosen = await reader.chatLocale(request.platform, request.chatId);
  const locale = normalizeLocale(chosen ?? '') ?? community.locale;
  const c: Context = { community, policy: communityPolicy(community), locale, now };
  if (request.notice === 'digest') return digest(reader, c);
  if (request.notice === 'chat_restored') return chatRestored(reader, request, c);
  if (request.notice === 'watch_alert') return watchAlertMessage(reader, request.alert, c);
  if (request.number === undefined) return null;
  const row = await reader.proposal(community.id, request.number);
  if (!row) return null;
  const view = statusView(row, now, c.policy);
  switch (request.notice) {
    case 'vote_reminder':
      return voteReminder(view, c, false);
    case 'vote_reminder_private': {
      const standing = await reader.voterStanding(
        row.proposal.id,
        community.id,
        request.platform,
        request.chatId,
        c.policy.voterUnit,
      );
      return standing === 'not_voted' ? voteReminder(view, c, true) : null;
    }
    case 'due_reminder':
      return dueReminder(view, c);
    case 'escalation':
      return escalation(view, request.detail, c);
  }
}
