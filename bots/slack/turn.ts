/**
 * What every Slack listener shares: the adapter's dependencies, and the
 * conversation's turn for one slash command, button press, modal
 * submission or DM, read in one query.
 *
 * Idempotency keys (`sl-<team>-<id>`) come from Slack's own ids, so a
 * redelivery has one effect and one reply: an event's `event_id` (Slack
 * retries it with `X-Slack-Retry-Num`), a slash command's `trigger_id` (a
 * second POST with the same one is a redelivery), a button press's
 * `action_ts` with the presser, a modal's view id.
 */
import type { Logger } from 'pino';
import { type ChatContext, type ChatStore, chatLocale } from '../../src/app/ports/chat.ts';
import type { ChatDeps, ChatTurn } from '../../src/chat/turn.ts';
import { SLACK_COMMAND_PREFIX } from './render.ts';

/** The use cases and stores the adapter calls. */
export type SlackDeps = ChatDeps & {
  chats: ChatStore;
  log: Logger;
  /** How long a claimed reply is its delivery's to send (default in src/chat/reply-once.ts). */
  replyLeaseMs?: number | undefined;
};

/** A DM with the bot: Slack's DM channel ids start with `D`. */
export const isDirectMessage = (channelId: string) => channelId.startsWith('D');

type SlackTurnInput = {
  teamId: string;
  /** Slack's id of this delivery (event id, trigger id, …), unique within the team. */
  deliveryId: string;
  channelId: string;
  userId: string;
  threadTs?: string | undefined;
};

/** The turn before its channel's context is read: who acts, where, under which keys. */
export function slackTurnKeys(input: SlackTurnInput): Omit<ChatTurn, 'chat' | 'locale'> {
  const isPrivate = isDirectMessage(input.channelId);
  const key = `${input.teamId}-${input.deliveryId}`;
  return {
    platform: 'slack',
    chatId: input.channelId,
    userId: input.userId,
    isPrivate,
    thread: input.threadTs,
    actor: {
      kind: 'chat',
      platform: 'slack',
      userId: input.userId,
      chatId: input.channelId,
      isPrivate,
    },
    idempotencyKey: `sl-${key}`,
    replyKey: `sl-reply-${key}`,
    commandPrefix: SLACK_COMMAND_PREFIX,
  };
}

/** The turn in a channel whose context is known (a vote button's batch read it). */
export function slackTurnIn(keys: Omit<ChatTurn, 'chat' | 'locale'>, chat: ChatContext): ChatTurn {
  return { ...keys, chat, locale: chatLocale(chat) };
}

export async function loadSlackTurn(
  deps: Pick<SlackDeps, 'chats'>,
  input: SlackTurnInput,
): Promise<ChatTurn> {
  const keys = slackTurnKeys(input);
  const chat = await deps.chats.context('slack', input.channelId, {
    userId: input.userId,
    withIdentities: keys.isPrivate,
  });
  // Pushes to a person go to their user id (the DM is opened from it): they wrote, so it works.
  if (keys.isPrivate) await deps.chats.reachable('slack', input.userId);
  return slackTurnIn(keys, chat);
}
