/**
 * Answering an update once, in Telegram's ways: a reply in the group or
 * topic, a private message with a group fallback (both under the claim in
 * src/chat/reply-once.ts), a callback query answer (Telegram's own
 * at-most-once, no claim).
 */
import { GrammyError } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import type { MessageLine } from '../../src/app/ports/delivery.ts';
import { sendReplyOnce } from '../../src/chat/reply-once.ts';
import type { Locale } from '../../src/i18n/translate.ts';
import type { TelegramDeps, YishiContext } from './context.ts';
import { renderCallbackAnswer, renderReply } from './render.ts';
import { telegramChatId } from './sender.ts';

export type ReplyOptions = {
  /** The language of the words; default the turn's (a `/lang` reply is already in the new one). */
  locale?: Locale | undefined;
  keyboard?: InlineKeyboardMarkup | undefined;
  /**
   * Say it to the person privately when the command came from a group (a
   * ballot). When the bot cannot write to them (they never pressed Start),
   * `fallback` is said in the group instead: it must not reveal the choice.
   */
  privately?: { fallback: MessageLine[] } | undefined;
  /**
   * Delete the command message in a group (it shows a ballot or a join code);
   * best effort: it works where the bot may delete messages.
   */
  deleteCommand?: boolean | undefined;
};

/** The person cannot be written to: blocked the bot, or never started a private chat. */
const unreachable = (error: unknown) =>
  error instanceof GrammyError &&
  (error.error_code === 403 || /chat not found/i.test(error.description));

type ReplyDeps = Pick<TelegramDeps, 'chats' | 'core' | 'log' | 'replyLeaseMs'>;

async function withClaim(ctx: YishiContext, deps: ReplyDeps, work: () => Promise<void>) {
  await sendReplyOnce(
    { chats: deps.chats, clock: deps.core.clock, log: deps.log, leaseMs: deps.replyLeaseMs },
    ctx.turn.replyKey,
    work,
    unreachable,
  );
}

/** Replies to the command message with `lines` (in its chat, or privately), once per update. */
export async function replyOnce(
  ctx: YishiContext,
  deps: ReplyDeps,
  lines: readonly MessageLine[],
  options: ReplyOptions = {},
): Promise<void> {
  if (lines.length === 0) return;
  await replyHtmlOnce(ctx, deps, renderReply(options.locale ?? ctx.turn.locale, lines), options);
}

/** Replies with ready HTML (a card shown by /status), once per update. */
export async function replyHtmlOnce(
  ctx: YishiContext,
  deps: ReplyDeps,
  html: string,
  options: ReplyOptions = {},
): Promise<void> {
  const { turn } = ctx;
  const extra = {
    parse_mode: 'HTML' as const,
    link_preview_options: { is_disabled: true },
  };
  // In a forum topic every reply in the chat goes to that topic, with or without a reply link.
  const topic = turn.threadId !== undefined ? { message_thread_id: turn.threadId } : {};
  const keyboard =
    options.keyboard && options.keyboard.inline_keyboard.length > 0
      ? { reply_markup: options.keyboard }
      : {};
  await withClaim(ctx, deps, async () => {
    const messageId = ctx.message?.message_id;
    if (!turn.isPrivate && options.deleteCommand && messageId !== undefined) {
      await ctx.api.deleteMessage(telegramChatId(turn.chatId), messageId).catch(() => {});
    }
    if (!turn.isPrivate && options.privately) {
      try {
        await ctx.api.sendMessage(Number(turn.userId), html, { ...extra, ...keyboard });
        return;
      } catch (error) {
        if (!unreachable(error)) throw error;
        await ctx.api.sendMessage(
          telegramChatId(turn.chatId),
          renderReply(options.locale ?? turn.locale, options.privately.fallback),
          { ...extra, ...topic },
        );
        return;
      }
    }
    await ctx.api.sendMessage(telegramChatId(turn.chatId), html, {
      ...extra,
      ...keyboard,
      ...topic,
      ...(messageId !== undefined && !turn.isPrivate && !options.deleteCommand
        ? { reply_parameters: { message_id: messageId, allow_sending_without_reply: true } }
        : {}),
    });
  });
}

/**
 * Answers a button press, visible only to the person who pressed it. Through
 * a webhook it goes in the response body (bots/telegram/index.ts), with no
 * claim: Telegram takes one answer per callback query and refuses any
 * further one, so a redelivery (after a 5xx, or a 200 Telegram never got)
 * answers if nothing was answered yet and is refused harmlessly otherwise.
 * Nothing is read or written here, so the answer costs no round trip.
 */
export async function answerOnce(
  ctx: YishiContext,
  lines: readonly MessageLine[],
  options: { alert: boolean; locale?: Locale | undefined },
): Promise<void> {
  const text = renderCallbackAnswer(options.locale ?? ctx.turn.locale, lines);
  try {
    await ctx.answerCallbackQuery({ text, show_alert: options.alert });
  } catch (error) {
    // Long polling only (a webhook reply has no result): answered already, or older than Telegram keeps.
    if (
      error instanceof GrammyError &&
      /query is too old|query id is invalid/i.test(error.description)
    ) {
      return;
    }
    throw error;
  }
}
