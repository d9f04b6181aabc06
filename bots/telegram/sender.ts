/**
 * The Telegram {@link ChatSender}: how the workers' push queue posts and
 * edits cards and notices. One Bot API call per send or edit and no retries
 * of its own (the push queue owns pacing: on `retry_after` it pauses the
 * target, on `failed` it backs off), so the `Api` given here must not have
 * the auto-retry transformer installed.
 */
import { type Api, GrammyError, HttpError } from 'grammy';
import type {
  ChatSender,
  ChatTarget,
  OutboundMessage,
  SendResult,
} from '../../src/app/ports/delivery.ts';
import { YishiError } from '../../src/errors.ts';
import { renderMessage } from './render.ts';

/** A chat id as the Bot API takes it: numeric ids as numbers, `@channel` names as text. */
export function telegramChatId(chatId: string): number | string {
  return /^-?\d{1,16}$/.test(chatId) ? Number(chatId) : chatId;
}

const has = (error: GrammyError, text: string) =>
  error.description.toLowerCase().includes(text.toLowerCase());

// 400s that will not go away by retrying: the chat is gone or closed to the bot.
const GONE_400 = [
  'chat not found',
  'peer_id_invalid',
  'group chat was upgraded',
  'not enough rights',
  'have no rights',
  'chat_write_forbidden',
  'user is deactivated',
  'bot was blocked',
  'bot was kicked',
];

// 400s on an edit that mean the message cannot be edited any more: post a new one.
const MISSING_400 = [
  'message to edit not found',
  'message_id_invalid',
  "message can't be edited",
  'message not found',
];

/**
 * Maps a Bot API failure to what the push queue should do. `editedId` is the
 * message an edit targeted: "message is not modified" means it already shows
 * this text, which is a success.
 */
export function classifySendError(error: unknown, editedId?: string): SendResult {
  if (error instanceof GrammyError) {
    const code = error.error_code;
    if (code === 429) {
      const seconds = error.parameters.retry_after ?? 1;
      return { kind: 'retry_after', ms: Math.max(1, seconds) * 1000 };
    }
    if (code === 400 && editedId !== undefined && has(error, 'message is not modified')) {
      return { kind: 'sent', messageId: editedId };
    }
    if (code === 400 && editedId !== undefined && MISSING_400.some((m) => has(error, m))) {
      return { kind: 'message_missing' };
    }
    if (code === 403) return { kind: 'gone', reason: error.description };
    // The group became a supergroup with a new id: the chat lives on there.
    if (code === 400 && error.parameters.migrate_to_chat_id !== undefined) {
      return { kind: 'migrated', toChatId: String(error.parameters.migrate_to_chat_id) };
    }
    if (code === 400 && GONE_400.some((m) => has(error, m))) {
      return { kind: 'gone', reason: error.description };
    }
    return { kind: 'failed', reason: `${code} ${error.description}` };
  }
  if (error instanceof HttpError) return { kind: 'failed', reason: error.message };
  return { kind: 'failed', reason: error instanceof Error ? error.message : String(error) };
}

function checkPlatform(target: ChatTarget): void {
  // The push queue routes by platform; a Slack target here is a wiring bug.
  if (target.platform !== 'telegram') {
    throw new YishiError('wrong_platform', `telegram sender got a ${target.platform} target`);
  }
}

/** The sender over `api` (a grammY `Api` without auto-retry, e.g. `new Api(token, { apiRoot })`). */
export function createTelegramSender(api: Api): ChatSender {
  return {
    async send(target: ChatTarget, message: OutboundMessage): Promise<SendResult> {
      checkPlatform(target);
      const rendered = renderMessage(message);
      try {
        const sent = await api.sendMessage(telegramChatId(target.chatId), rendered.html, {
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
          ...(target.threadId === undefined ? {} : { message_thread_id: Number(target.threadId) }),
          ...(rendered.keyboard.inline_keyboard.length > 0
            ? { reply_markup: rendered.keyboard }
            : {}),
        });
        return { kind: 'sent', messageId: String(sent.message_id) };
      } catch (error) {
        return classifySendError(error);
      }
    },

    async edit(
      target: ChatTarget,
      messageId: string,
      message: OutboundMessage,
    ): Promise<SendResult> {
      checkPlatform(target);
      const id = Number(messageId);
      if (!Number.isSafeInteger(id) || id <= 0) return { kind: 'message_missing' };
      const rendered = renderMessage(message);
      try {
        // An empty keyboard removes buttons the card no longer has (a vote that closed).
        await api.editMessageText(telegramChatId(target.chatId), id, rendered.html, {
          parse_mode: 'HTML',
          link_preview_options: { is_disabled: true },
          reply_markup: rendered.keyboard,
        });
        return { kind: 'sent', messageId };
      } catch (error) {
        return classifySendError(error, messageId);
      }
    },
  };
}
