/**
 * `/status N`: a proposal or resolution as the card that shows it now, the
 * same card the bound chats were sent, built from fresh state.
 */
import type { Locale } from '../i18n/translate.ts';
import { type BoardLinks, itemPageUrl } from './board-links.ts';
import { communityPolicy } from './core.ts';
import { buildCard } from './outbound.ts';
import type { OutboundMessage, Publication } from './ports/delivery.ts';
import { type ProposalStatusView, proposalStatus, type StatusReader } from './status.ts';

/** Communities without a configured zone live in the default one. */
const DEFAULT_TIMEZONE = 'Asia/Shanghai';

export type ShowProposalOutcome =
  | { kind: 'card'; message: OutboundMessage }
  | { kind: 'community_unknown' }
  | { kind: 'proposal_unknown' };

/** The card that shows a proposal as it stands now. */
export function cardKindFor(view: ProposalStatusView): Publication['kind'] {
  if (view.resolution) return view.resolution.state === 'done' ? 'survey_card' : 'resolution_card';
  if (view.result) return 'result_card';
  if (view.state === 'voting') return 'vote_card';
  return 'proposal_card';
}

export async function showProposal(
  reader: StatusReader,
  input: { communityId: string; number: number; locale: Locale; now: Date },
  /** PUBLIC_URL and the board keys: the card then links to its board page, as pushed cards do. */
  links?: BoardLinks,
): Promise<ShowProposalOutcome> {
  const { communityId, number, locale, now } = input;
  const status = await proposalStatus(reader, { communityId, number, now });
  if (status.kind !== 'status') return { kind: status.kind };
  const community = await reader.community(communityId);
  const card = buildCard({ kind: cardKindFor(status.view), communityId, number }, status.view, {
    policy: communityPolicy(community),
    locale,
    timezone: community?.timezone ?? DEFAULT_TIMEZONE,
  });
  const url = community ? await itemPageUrl(links, community, number) : null;
  return {
    kind: 'card',
    message: {
      locale,
      lines: card.lines,
      progress: card.progress,
      buttons: card.buttons,
      ...(url ? { link: { label: 'card.board_link', url } } : {}),
    },
  };
}
