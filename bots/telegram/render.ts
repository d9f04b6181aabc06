/**
 * Platform-neutral messages -> Telegram HTML and inline keyboards.
 *
 * Every line is formatted with src/i18n first and escaped as a whole, so a
 * title like `<b>x</b>` is shown as typed; the only tags are ours (the
 * bold heading). Telegram refuses a text over 4096 characters (counted in
 * UTF-16 units after entity parsing), so the longest lines are cut with an
 * ellipsis until the message fits.
 */
import type { InlineKeyboardButton, InlineKeyboardMarkup } from 'grammy/types';
import type { ButtonAction, MessageLine, OutboundMessage } from '../../src/app/ports/delivery.ts';
import {
  buttonLabel,
  buttonRows,
  fitLines,
  plainLines as formatLines,
  messageTexts,
} from '../../src/chat/render-lines.ts';
import { type Locale, t } from '../../src/i18n/translate.ts';
import { encodeCallbackData } from './callback-data.ts';
import { escapeHtml } from './escape.ts';

export { fitLines } from '../../src/chat/render-lines.ts';

/** Telegram's limit for a message text, in UTF-16 code units of the visible text. */
export const TELEGRAM_TEXT_LIMIT = 4096;

/** Telegram's limit for the text of a callback query answer. */
export const CALLBACK_ANSWER_LIMIT = 200;

/** Telegram commands read `/vote 12 for`. */
export const TELEGRAM_COMMAND_PREFIX = '/';

export type TelegramMessage = {
  /** HTML for `parse_mode: 'HTML'`. */
  html: string;
  /** Inline keyboard; an empty one on a card without buttons, so an edit removes old buttons. */
  keyboard: InlineKeyboardMarkup;
};

/** Lines as plain text in `locale` (user text unescaped). */
export function plainLines(locale: Locale, lines: readonly MessageLine[]): string[] {
  return formatLines(locale, lines, TELEGRAM_COMMAND_PREFIX);
}

/** Plain text lines -> HTML, the first one bold when `heading`. */
function toHtml(lines: readonly string[], heading: boolean): string {
  return lines
    .map((line, i) =>
      heading && i === 0 && lines.length > 1 ? `<b>${escapeHtml(line)}</b>` : escapeHtml(line),
    )
    .join('\n');
}

/** One row per kind of action (the three ballot choices side by side). */
export function keyboardFor(
  buttons: readonly ButtonAction[],
  locale: Locale,
): InlineKeyboardMarkup {
  return {
    inline_keyboard: buttonRows(buttons).map((row) =>
      row.map(
        (action): InlineKeyboardButton => ({
          text: buttonLabel(action, locale),
          callback_data: encodeCallbackData(action),
        }),
      ),
    ),
  };
}

/** A card or notice as a Telegram message: bold heading, progress bar, buttons, within the limit. */
export function renderMessage(message: OutboundMessage): TelegramMessage {
  const label = message.link ? t(message.locale, message.link.label) : '';
  // Telegram counts the visible text only: the label, not the URL.
  const limit = TELEGRAM_TEXT_LIMIT - (message.link ? label.length + 1 : 0);
  const text = toHtml(fitLines(messageTexts(message, TELEGRAM_COMMAND_PREFIX), limit), true);
  return {
    html: message.link
      ? `${text}\n<a href="${escapeHtml(message.link.url)}">${escapeHtml(label)}</a>`
      : text,
    keyboard: keyboardFor(message.buttons, message.locale),
  };
}

/** A command reply: plain lines, escaped, within the limit. */
export function renderReply(locale: Locale, lines: readonly MessageLine[]): string {
  return toHtml(fitLines(plainLines(locale, lines), TELEGRAM_TEXT_LIMIT), false);
}

/** A callback query answer: plain text (no parse mode there), at most 200 characters. */
export function renderCallbackAnswer(locale: Locale, lines: readonly MessageLine[]): string {
  return fitLines(plainLines(locale, lines), CALLBACK_ANSWER_LIMIT).join('\n');
}
