/**
 * Answering a Slack turn once (the claim in src/chat/reply-once.ts), in
 * Slack's ways. Private means only the person sees it: an ephemeral
 * `response_url` answer, `chat.postEphemeral`, or their DM; a ballot, a
 * relay or a join is never answered `in_channel`, where Slack would also
 * show the command to everyone. A card is posted with `chat.postMessage`, so
 * it can be edited in place.
 */
import type { RespondFn } from '@slack/bolt';
import { RespondError } from '@slack/bolt';
import { WebAPIPlatformError, type WebClient } from '@slack/web-api';
import { sendReplyOnce } from '../../src/chat/reply-once.ts';
import type { ChatReply } from '../../src/chat/reply-plan.ts';
import type { ChatTurn } from '../../src/chat/turn.ts';
import { renderMessage, renderReply, type SlackMessage } from './render.ts';
import type { SlackDeps } from './turn.ts';

/** Where a turn's answers go. */
export type Replier = {
  /** Seen by the person only. */
  privately(text: string): Promise<void>;
  /** Seen by everyone in the chat. */
  publicly(text: string): Promise<void>;
  /** A card, posted so it can be edited in place. */
  card(message: SlackMessage): Promise<void>;
};

const slackError = (error: unknown) =>
  error instanceof WebAPIPlatformError ? String(error.data.error) : undefined;

/** Nobody to tell: the response_url expired, or the bot may not write there. */
function undeliverable(error: unknown): boolean {
  if (error instanceof RespondError) return error.statusCode === 404;
  const code = slackError(error);
  return code === 'channel_not_found' || code === 'user_not_in_channel' || code === 'is_archived';
}

/**
 * Answers for a turn: through `respond` (the slash command's or button's
 * `response_url`) where there is one, else through the Web API.
 */
export function replier(client: WebClient, turn: ChatTurn, respond?: RespondFn): Replier {
  const channel = turn.chatId;
  const thread = turn.thread === undefined ? {} : { thread_ts: turn.thread };
  const post = async (text: string) => {
    await client.chat.postMessage({ channel, text, unfurl_links: false, ...thread });
  };
  return {
    async privately(text) {
      if (turn.isPrivate) return post(text);
      if (respond) {
        await respond({ response_type: 'ephemeral', replace_original: false, text });
        return;
      }
      await client.chat.postEphemeral({ channel, user: turn.userId, text, ...thread });
    },
    async publicly(text) {
      if (respond && !turn.isPrivate) {
        await respond({ response_type: 'in_channel', replace_original: false, text });
        return;
      }
      await post(text);
    },
    async card(message) {
      try {
        await client.chat.postMessage({ channel, ...message, unfurl_links: false, ...thread });
      } catch (error) {
        // A slash command works in channels the bot is not in: show the card there anyway.
        if (!respond || slackError(error) !== 'not_in_channel') throw error;
        await respond({ response_type: 'in_channel', replace_original: false, ...message });
      }
    },
  };
}

/** Sends the conversation's reply plan, once per turn. */
export async function deliver(
  deps: Pick<SlackDeps, 'chats' | 'core' | 'log' | 'replyLeaseMs'>,
  turn: ChatTurn,
  to: Replier,
  reply: ChatReply,
): Promise<void> {
  if (reply.kind === 'none') return;
  if (reply.kind === 'message' && reply.lines.length === 0) return;
  await sendReplyOnce(
    { chats: deps.chats, clock: deps.core.clock, log: deps.log, leaseMs: deps.replyLeaseMs },
    turn.replyKey,
    async () => {
      switch (reply.kind) {
        case 'message': {
          const text = renderReply(reply.locale, reply.lines);
          // Slack can always reach the person privately: no public fallback is needed.
          const secret = reply.deleteCommand || reply.privately !== undefined;
          return secret ? to.privately(text) : to.publicly(text);
        }
        case 'card':
          return to.card(renderMessage(reply.message));
        case 'answer':
          return to.privately(renderReply(reply.locale, reply.lines));
      }
    },
    undeliverable,
  );
}
