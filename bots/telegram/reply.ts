/**
 * Answering an update exactly once. Telegram redelivers an update when the
 * webhook did not answer 200 in time, and two deliveries may run at once; the
 * use case is idempotent by the update id, and the reply is claimed in
 * PostgreSQL, so only one delivery answers. A reply that cannot be sent gives
 * its claim back and fails the update, so Telegram's redelivery answers it.
 */
import { GrammyError } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import type { MessageLine } from '../../src/app/outbound.ts';
import type { TelegramDeps, YishiContext } from './context.ts';
import { renderCallbackAnswer, renderReply } from './render.ts';
import { telegramChatId } from './sender.ts';

export type ReplyOptions = {
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

async function withClaim(
  ctx: YishiContext,
  deps: Pick<TelegramDeps, 'chats' | 'core' | 'log'>,
  work: () => Promise<void>,
): Promise<void> {
  const { replyKey } = ctx.turn;
  if (!(await deps.chats.claim(replyKey, deps.core.clock.now()))) return;
  try {
    await work();
  } catch (error) {
    if (unreachable(error)) {
      // Nobody to tell: retrying would not help.
      deps.log.info({ chatId: ctx.turn.chatId, err: error }, 'telegram reply not deliverable');
      return;
    }
    await deps.chats.release(replyKey);
    throw error;
  }
}

/** Replies to the command message with `lines` (in its chat, or privately), once per update. */
export async function replyOnce(
  ctx: YishiContext,
  deps: Pick<TelegramDeps, 'chats' | 'core' | 'log'>,
  lines: readonly MessageLine[],
  options: ReplyOptions = {},
): Promise<void> {
  if (lines.length === 0) return;
  await replyHtmlOnce(ctx, deps, renderReply(ctx.turn.locale, lines), options);
}

/** Replies with ready HTML (a card shown by /status), once per update. */
export async function replyHtmlOnce(
  ctx: YishiContext,
  deps: Pick<TelegramDeps, 'chats' | 'core' | 'log'>,
  html: string,
  options: ReplyOptions = {},
): Promise<void> {
  const { turn } = ctx;
  const extra = {
    parse_mode: 'HTML' as const,
    link_preview_options: { is_disabled: true },
  };
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
          renderReply(turn.locale, options.privately.fallback),
          extra,
        );
        return;
      }
    }
    await ctx.api.sendMessage(telegramChatId(turn.chatId), html, {
      ...extra,
      ...keyboard,
      ...(messageId !== undefined && !turn.isPrivate && !options.deleteCommand
        ? { reply_parameters: { message_id: messageId, allow_sending_without_reply: true } }
        : {}),
    });
  });
}

/** Answers a button press, visible only to the person who pressed it, once per update. */
export async function answerOnce(
  ctx: YishiContext,
  deps: Pick<TelegramDeps, 'chats' | 'core' | 'log'>,
  lines: readonly MessageLine[],
  options: { alert: boolean },
): Promise<void> {
  const text = renderCallbackAnswer(ctx.turn.locale, lines);
  await withClaim(ctx, deps, async () => {
    try {
      await ctx.answerCallbackQuery({ text, show_alert: options.alert });
    } catch (error) {
      // A query older than Telegram keeps (about 15 minutes) cannot be answered any more.
      if (
        error instanceof GrammyError &&
        /query is too old|query id is invalid/i.test(error.description)
      ) {
        return;
      }
      throw error;
    }
  });
}
