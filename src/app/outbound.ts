/**
 * What a publication looks like, platform-neutral: message lines as locale
 * keys with parameters, a progress value, buttons as typed actions, and the
 * chats it goes to. The Telegram and Slack renderers only turn this into
 * their markup; the words live in src/i18n.
 */
import { categoryLabel } from '../domain/categories.ts';
import type { Policy } from '../domain/policy.ts';
import { ceilShare } from '../domain/ratio.ts';
import {
  formatDateTime,
  type Locale,
  type MessageKey,
  normalizeLocale,
  t,
} from '../i18n/translate.ts';
import { communityPolicy } from './core.ts';
import type { Card, MessageLine, Publication } from './ports/delivery.ts';
import type { Platform } from './ports/store.ts';
import { type ProposalStatusView, proposalStatus, type StatusReader } from './status.ts';

export type Delivery = { platform: Platform; chatId: string; locale: Locale; card: Card };

type Context = { policy: Policy; locale: Locale; timezone: string };

const when = (iso: string | null, c: Context) =>
  iso ? formatDateTime(new Date(iso), c.locale, c.timezone) : '';
const line = (key: MessageKey, params: MessageLine['params'] = {}): MessageLine => ({
  key,
  params,
});

/** The card for a publication, from the proposal's current status view. */
export function buildCard(publication: Publication, view: ProposalStatusView, c: Context): Card {
  const number = view.number;
  const title = view.title;
  const state = t(c.locale, `state.proposal.${view.state}`);
  switch (publication.kind) {
    case 'proposal_card': {
      const collecting = view.state === 'collecting';
      return {
        publication,
        lines: [
          line('card.proposal.heading', { number, title }),
          ...(view.body ? [line('card.proposal.body', { body: view.body })] : []),
          line('card.proposal.category', { category: categoryLabel(view.category, c.locale) }),
          ...(view.authorUnit ? [line('card.proposal.author', { unit: view.authorUnit })] : []),
          line('card.proposal.state', { state }),
          line('card.proposal.cosigns', { count: view.cosigns, threshold: view.cosignThreshold }),
          ...(collecting
            ? [
                line('card.proposal.cosigns_needed', {
                  remaining: Math.max(0, view.cosignThreshold - view.cosigns),
                }),
                line('card.proposal.cosign_deadline', { deadline: when(view.cosignDeadline, c) }),
                line('card.proposal.how_to_cosign', { number }),
              ]
            : []),
          ...(view.state === 'noticed'
            ? [line('card.proposal.notice', { opensAt: when(view.votingOpensAt, c) })]
            : []),
        ],
        progress: { value: view.cosigns, total: view.cosignThreshold },
        buttons: collecting ? [{ kind: 'cosign', number }] : [],
      };
    }
    case 'vote_card': {
      const eligible = view.turnout?.eligible ?? view.eligible ?? 0;
      const voted = view.turnout?.ballots ?? 0;
      const open = view.state === 'voting';
      // Turnout only: the running for/against split stays hidden until the vote closes.
      return {
        publication,
        lines: [
          line('card.vote.heading', { number, title }),
          line('card.vote.turnout', { voted, eligible, turnout: eligible ? voted / eligible : 0 }),
          line('card.vote.quorum', { needed: ceilShare(c.policy.quorumRatio, eligible), eligible }),
          line('card.vote.closes', { closesAt: when(view.votingClosesAt, c) }),
          ...(open ? [line('card.vote.how_to_vote', { number }), line('card.vote.paper')] : []),
        ],
        progress: { value: voted, total: eligible },
        buttons: open
          ? (['for', 'against', 'abstain'] as const).map((choice) => ({
              kind: 'vote' as const,
              number,
              choice,
            }))
          : [],
      };
    }
    case 'result_card': {
      const tally = view.tally ?? { for: 0, against: 0, abstain: 0 };
      const eligible = view.turnout?.eligible ?? 0;
      const voted = tally.for + tally.against + tally.abstain;
      const result = view.result ?? 'no_quorum';
      return {
        publication,
        lines: [
          line('card.result.heading', { number, title }),
          line('card.result.outcome', { result }),
          line('card.result.tally', {
            for: tally.for,
            against: tally.against,
            abstain: tally.abstain,
          }),
          line('card.result.turnout', {
            voted,
            eligible,
            turnout: eligible ? voted / eligible : 0,
            needed: ceilShare(c.policy.quorumRatio, eligible),
          }),
          line('card.result.next', { result, number }),
        ],
        progress: { value: voted, total: eligible },
        buttons: [],
      };
    }
    case 'resolution_card':
    case 'survey_card': {
      const r = view.resolution;
      if (!r)
        return {
          publication,
          lines: [line('card.proposal.heading', { number, title })],
          progress: null,
          buttons: [],
        };
      const lines: MessageLine[] = [
        line('card.resolution.heading', { number, title }),
        line('card.resolution.lead', { lead: r.lead }),
        line('card.resolution.coop', {
          count: r.coop.length,
          units: r.coop.join(c.locale === 'en' ? ', ' : '、'),
        }),
        line('card.resolution.due', { due: when(r.dueAt, c) }),
        line('card.resolution.state', { state: t(c.locale, `state.resolution.${r.state}`) }),
        line('card.resolution.progress', { percent: r.progress }),
      ];
      if (r.latestNote) lines.push(line('card.resolution.latest_note', { note: r.latestNote }));
      if (r.escalationLevel >= 1 && r.escalationLevel <= 3) {
        lines.push(
          line('card.resolution.escalation', {
            label: t(c.locale, `escalation.label.${r.escalationLevel as 1 | 2 | 3}`),
          }),
        );
      }
      if (r.flagged) lines.push(line('card.resolution.flagged'));
      const surveying = publication.kind === 'survey_card' && r.state === 'done';
      return {
        publication,
        lines,
        progress: { value: r.progress, total: 100 },
        buttons: surveying
          ? [
              { kind: 'survey', number, answer: 'yes' },
              { kind: 'survey', number, answer: 'no' },
            ]
          : [],
      };
    }
  }
}

/** Renders a card's lines as plain text in its locale (used by the demo and by tests). */
export function cardText(card: Card, locale: Locale): string {
  return card.lines.map((l) => t(locale, l.key, l.params)).join('\n');
}

/**
 * Every bound chat's copy of a publication, each in the chat's locale
 * (its /lang choice, else the community's). Empty when the proposal is gone.
 */
export async function deliveriesFor(
  reader: StatusReader,
  publication: Publication,
  now: Date,
): Promise<Delivery[]> {
  const community = await reader.community(publication.communityId);
  if (!community) return [];
  const status = await proposalStatus(reader, {
    communityId: community.id,
    number: publication.number,
    now,
  });
  if (status.kind !== 'status') return [];
  const policy = communityPolicy(community);
  const bindings = await reader.bindings(community.id);
  const cards = new Map<Locale, Card>();
  return bindings.map((binding) => {
    const locale = normalizeLocale(binding.locale ?? '') ?? community.locale;
    let card = cards.get(locale);
    if (!card) {
      card = buildCard(publication, status.view, { policy, locale, timezone: community.timezone });
      cards.set(locale, card);
    }
    return { platform: binding.platform, chatId: binding.chatId, locale, card };
  });
}
