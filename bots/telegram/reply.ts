/**
 * Answering an update once, and never not at all. Telegram redelivers an
 * update when the webhook did not answer 200 in time, and two deliveries may
 * run at once; the use case is idempotent by the update id, and the reply is
 * claimed in PostgreSQL before it is sent, so only one delivery answers.
 *
 * The claim says a reply is owed; the send marks it sent. A send that fails
 * gives the claim back and fails the update (5xx), so Telegram's redelivery
 * answers. A delivery that died between the claim and the mark (a crash, a
 * kill) leaves the reply owed: a redelivery after the lease takes it over and
 * sends it. The one duplicate left is a death after the send and before the
 * mark (the Bot API has no idempotency key to close it).
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { GrammyError } from 'grammy';
import type { InlineKeyboardMarkup } from 'grammy/types';
import type { MessageLine } from '../../src/app/outbound.ts';
import { YishiError } from '../../src/errors.ts';
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

/**
 * How long a claimed reply belongs to the delivery that claimed it. A send
 * retries 429s for up to about 30 s (autoRetry in index.ts); an owed claim
 * older than this was left by a delivery that died, and is taken over.
 */
export const REPLY_LEASE_MS = 60_000;
/**
 * A duplicate delivery waits this long for the other one's send (usually a
 * few ms) before failing the update, so that Telegram asks again later
 * rather than take a 200 for a reply that may still fail.
 */
const IN_FLIGHT_WAIT_MS = 1_000;
const IN_FLIGHT_POLL_MS = 25;

type ReplyDeps = Pick<TelegramDeps, 'chats' | 'core' | 'log' | 'replyLeaseMs'>;

/** The reply's claim once it is this delivery's to send, or undefined when it was sent already. */
async function claimReply(deps: ReplyDeps, key: string): Promise<string | undefined> {
  const leaseMs = deps.replyLeaseMs ?? REPLY_LEASE_MS;
  const waitUntil = Date.now() + IN_FLIGHT_WAIT_MS;
  for (;;) {
    const claim = await deps.chats.claimReply(key, deps.core.clock.now(), leaseMs);
    if (claim.kind === 'owed') return claim.token;
    if (claim.kind === 'sent') return undefined;
    if (Date.now() >= waitUntil) {
      throw new YishiError('reply_in_flight', `reply ${key} is being sent by another delivery`);
    }
    await sleep(IN_FLIGHT_POLL_MS);
  }
}

async function withClaim(ctx: YishiContext, deps: ReplyDeps, work: () => Promise<void>) {
  const { replyKey } = ctx.turn;
  const token = await claimReply(deps, replyKey);
  if (token === undefined) return;
  try {
    await work();
  } catch (error) {
    if (!unreachable(error)) {
      await deps.chats.releaseReply(replyKey, token);
      throw error;
    }
    // Nobody to tell: retrying would not help.
    deps.log.info({ chatId: ctx.turn.chatId, err: error }, 'telegram reply not deliverable');
  }
  await deps.chats.replySent(replyKey, token).catch((error: unknown) => {
    // The reply is out; failing the update now would only have it sent again after the lease.
    deps.log.warn({ err: error, key: replyKey }, 'telegram reply sent but not marked');
  });
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

/** Answers a button press, visible only to the person who pressed it, once per update. */
export async function answerOnce(
  ctx: YishiContext,
  deps: ReplyDeps,
  lines: readonly MessageLine[],
  options: { alert: boolean; locale?: Locale | undefined },
): Promise<void> {
  const text = renderCallbackAnswer(options.locale ?? ctx.turn.locale, lines);
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
