/**
 * The Slack side of the push queue: posts cards and notices to channels with
 * `chat.postMessage`, edits them in place with `chat.update`, and writes to a
 * person (a target whose chat id is a Slack user id, `U…`/`W…`) in their DM,
 * opened with `conversations.open`. One Web API call per send or edit (the
 * DM's opening aside) and no retries of its own: the `WebClient` given here
 * must reject rate-limited calls and not retry (see {@link slackPushClient}),
 * because the push queue owns pacing (Slack's 1 message per second per
 * channel, shared in Redis) and honours a 429's `Retry-After` for every
 * worker process.
 */
import {
  WebAPIHTTPError,
  WebAPIPlatformError,
  WebAPIRateLimitedError,
  WebClient,
} from '@slack/web-api';
import type {
  ChatSender,
  ChatTarget,
  OutboundMessage,
  SendResult,
} from '../../src/app/ports/delivery.ts';
import { YishiError } from '../../src/errors.ts';
import { renderMessage } from './render.ts';

/** How long a push's Web API call may take before it counts as of unknown outcome. */
const SEND_TIMEOUT_MS = 30_000;

/** A Web API client for the push queue: no retries, 429s returned, not waited out. */
export function slackPushClient(token: string, apiUrl: string | undefined): WebClient {
  return new WebClient(token, {
    ...(apiUrl ? { slackApiUrl: apiUrl } : {}),
    retryConfig: { retries: 0 },
    rejectRateLimitedCalls: true,
    timeout: SEND_TIMEOUT_MS,
  });
}

// Errors that will not go away by retrying: the bot was removed, the channel is gone or
// archived, the person left the workspace. Recorded as delivery problems.
const GONE = new Set([
  'not_in_channel',
  'channel_not_found',
  'is_archived',
  'account_inactive',
  'user_not_found',
  'user_disabled',
  'cannot_dm_bot',
  'restricted_action',
  'team_access_not_granted',
]);

// On an edit: the message cannot be edited any more; post a new one.
const MISSING = new Set(['message_not_found', 'cant_update_message', 'edit_window_closed']);

/** Maps a Web API failure to what the push queue should do. */
export function classifySlackError(error: unknown, editing = false): SendResult {
  if (error instanceof WebAPIRateLimitedError) {
    return { kind: 'retry_after', ms: Math.max(1, error.retryAfter) * 1000 };
  }
  if (error instanceof WebAPIPlatformError) {
    const code = String(error.data.error);
    if (code === 'ratelimited') return { kind: 'retry_after', ms: 1000 };
    if (GONE.has(code)) return { kind: 'gone', reason: code };
    if (editing && MISSING.has(code)) return { kind: 'message_missing' };
    return { kind: 'failed', reason: code };
  }
  if (error instanceof WebAPIHTTPError)
    return { kind: 'failed', reason: `HTTP ${error.statusCode}` };
  return { kind: 'failed', reason: error instanceof Error ? error.message : String(error) };
}

/** A person rather than a channel: the push goes to their DM with the bot. */
const isPerson = (chatId: string) => /^[UW][A-Z0-9]+$/.test(chatId);

/**
 * A message's id for the push queue: its `ts` in the target's channel, or
 * `<dm channel>/<ts>` for a DM (the channel to edit it in is not the target's id).
 */
const messageIdOf = (channel: string, ts: string, target: ChatTarget) =>
  channel === target.chatId ? ts : `${channel}/${ts}`;

function locate(target: ChatTarget, messageId: string): { channel: string; ts: string } {
  const [channel, ts] = messageId.includes('/')
    ? messageId.split('/', 2)
    : [target.chatId, messageId];
  return { channel: channel ?? target.chatId, ts: ts ?? messageId };
}

function checkPlatform(target: ChatTarget): void {
  // The push queue routes by platform; a Telegram target here is a wiring bug.
  if (target.platform !== 'slack') {
    throw new YishiError('wrong_platform', `slack sender got a ${target.platform} target`);
  }
}

export function createSlackSender(client: WebClient): ChatSender {
  const channelFor = async (target: ChatTarget): Promise<string> => {
    if (!isPerson(target.chatId)) return target.chatId;
    const opened = await client.conversations.open({ users: target.chatId });
    const id = opened.channel?.id;
    if (!id) throw new YishiError('slack_dm', `no DM channel for ${target.chatId}`);
    return id;
  };

  return {
    async send(target, message: OutboundMessage): Promise<SendResult> {
      checkPlatform(target);
      const rendered = renderMessage(message);
      try {
        const channel = await channelFor(target);
        const posted = await client.chat.postMessage({
          channel,
          text: rendered.text,
          blocks: rendered.blocks,
          unfurl_links: false,
          unfurl_media: false,
          ...(target.threadId === undefined ? {} : { thread_ts: target.threadId }),
        });
        if (!posted.ts) return { kind: 'failed', reason: 'no ts in chat.postMessage answer' };
        return { kind: 'sent', messageId: messageIdOf(channel, posted.ts, target) };
      } catch (error) {
        return classifySlackError(error);
      }
    },

    async edit(target, messageId, message: OutboundMessage): Promise<SendResult> {
      checkPlatform(target);
      const rendered = renderMessage(message);
      const { channel, ts } = locate(target, messageId);
      try {
        await client.chat.update({ channel, ts, text: rendered.text, blocks: rendered.blocks });
        return { kind: 'sent', messageId };
      } catch (error) {
        return classifySlackError(error, true);
      }
    },
  };
}
