/** What the conversation reads off a turn: the community it acts in and how to word dates. */

import { chatCommunity } from '../app/ports/chat.ts';
import type { MessageLine } from '../app/ports/delivery.ts';
import type { Locale } from '../i18n/translate.ts';
import type { ReplyContext } from './replies.ts';
import type { ChatTurn } from './turn.ts';

/** Communities without a configured zone live in the default one. */
const DEFAULT_TIMEZONE = 'Asia/Shanghai';

export function replyContext(turn: ChatTurn, command: string): ReplyContext {
  const community = chatCommunity(turn.chat);
  return {
    locale: turn.locale,
    timezone: community.kind === 'community' ? community.timezone : DEFAULT_TIMEZONE,
    command,
    commandPrefix: turn.commandPrefix,
  };
}

/**
 * A private chat cannot tell the community when the account is linked in
 * several: the person is asked to act from one of their groups.
 */
export function severalCommunitiesLines(names: readonly string[], locale: Locale): MessageLine[] {
  return [
    {
      key: 'refusal.several_communities',
      params: { communities: names.join(locale === 'en' ? ', ' : '、') },
    },
  ];
}

/** The lines refusing a turn whose chat names no single community, or undefined when it names one. */
export function communityUnknownLines(turn: ChatTurn): MessageLine[] | undefined {
  const community = chatCommunity(turn.chat);
  return community.kind === 'several'
    ? severalCommunitiesLines(community.names, turn.locale)
    : undefined;
}
