import type { ChatMembershipStore, MembershipOutcome } from './ports/chat.ts';
import type { Clock } from './ports/clock.ts';
import type { ChatTarget } from './ports/delivery.ts';

/** The bot's standing in a chat, as the platform reports a change of it. */
export type BotMembership = { kind: 'member' } | { kind: 'removed'; reason: string };

/**
 * The platform says the bot was removed from a chat or is a member again.
 * Removed: the chat is marked unreachable at once, so pushes to it are
 * dropped instead of failing one by one. Member again: the mark is cleared,
 * the next card arrives, and for a bound chat the committee is told in their
 * private chats (one notice per event, through the outbox). `eventKey` names
 * the platform event (`tg-<botId>-<updateId>`), so a redelivery does nothing.
 */
export async function recordBotMembership(
  deps: { clock: Clock; chats: ChatMembershipStore },
  input: { target: ChatTarget; membership: BotMembership; eventKey: string },
): Promise<MembershipOutcome> {
  const now = deps.clock.now();
  const target = { platform: input.target.platform, chatId: input.target.chatId };
  if (input.membership.kind === 'removed') {
    return deps.chats.botRemoved(target, input.membership.reason, now);
  }
  return deps.chats.botAdded(target, input.eventKey, now);
}
