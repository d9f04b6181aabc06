/**
 * The message a push delivers, rendered when the push job runs (not when it
 * was queued), so a chat always sees the current state: a card from the
 * proposal's status view in the chat's locale, a notice through the
 * notices' renderer. `null` means there is nothing to deliver any more.
 */
import { normalizeLocale } from '../i18n/translate.ts';
import { type BoardLinks, itemPageUrl } from './board-links.ts';
import { communityPolicy } from './core.ts';
import { buildCard } from './outbound.ts';
import type { OutboundMessage, Publication } from './ports/delivery.ts';
import type { Platform } from './ports/store.ts';
import { proposalStatus, type StatusReader } from './status.ts';

/** A card for one chat (the push queue's CardPush has this shape). */
export type CardRequest = {
  communityId: string;
  number: number;
  card: Publication['kind'];
  platform: Platform;
  chatId: string;
};

/**
 * Renders a notice (reminder, escalation, digest) for its chat at `now`;
 * null when it no longer applies. src/app/notices.ts `renderNotice` fits it.
 */
export type NoticeRenderer<N> = (notice: N, now: Date) => Promise<OutboundMessage | null>;

/**
 * The card for one chat at `now`, in the chat's locale (its binding's, else
 * the community's). Null when the community or proposal is gone, or the
 * chat is no longer bound to the community.
 */
export async function renderCardPush(
  reader: StatusReader,
  request: CardRequest,
  now: Date,
  /** PUBLIC_URL and the board keys; absent (no PUBLIC_URL), cards carry no board link. */
  links?: BoardLinks,
): Promise<OutboundMessage | null> {
  const community = await reader.community(request.communityId);
  if (!community) return null;
  const bindings = await reader.bindings(community.id);
  const binding = bindings.find(
    (b) => b.platform === request.platform && b.chatId === request.chatId,
  );
  if (!binding) return null;
  const status = await proposalStatus(reader, {
    communityId: community.id,
    number: request.number,
    now,
  });
  if (status.kind !== 'status') return null;
  const locale = normalizeLocale(binding.locale ?? '') ?? community.locale;
  const publication: Publication = {
    kind: request.card,
    communityId: community.id,
    number: request.number,
  };
  const card = buildCard(publication, status.view, {
    policy: communityPolicy(community),
    locale,
    timezone: community.timezone,
  });
  const url = await itemPageUrl(links, community, request.number);
  return {
    locale,
    lines: card.lines,
    progress: card.progress,
    buttons: card.buttons,
    ...(url ? { link: { label: 'card.board_link', url } } : {}),
  };
}
