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
import type { ButtonAction, MessageLine, OutboundMessage } from '../../src/app/outbound.ts';
import {
  COMMAND_PREFIX_PARAM,
  type Locale,
  type MessageKey,
  type MessageParams,
  progressBar,
  t,
} from '../../src/i18n/translate.ts';
import { encodeCallbackData } from './callback-data.ts';
import { escapeHtml } from './escape.ts';

/** Telegram's limit for a message text, in UTF-16 code units of the visible text. */
export const TELEGRAM_TEXT_LIMIT = 4096;

/** Telegram's limit for the text of a callback query answer. */
export const CALLBACK_ANSWER_LIMIT = 200;

/** Telegram commands read `/vote 12 for`. */
export const TELEGRAM_COMMAND_PREFIX = '/';

/** A message's words with Telegram's command form. */
const text = (locale: Locale, key: MessageKey, params: MessageParams = {}) =>
  t(locale, key, { [COMMAND_PREFIX_PARAM]: TELEGRAM_COMMAND_PREFIX, ...params });

export type TelegramMessage = {
  /** HTML for `parse_mode: 'HTML'`. */
  html: string;
  /** Inline keyboard; an empty one on a card without buttons, so an edit removes old buttons. */
  keyboard: InlineKeyboardMarkup;
};

// The progress bar goes right under the line that states the same count.
const PROGRESS_AFTER: ReadonlySet<MessageKey> = new Set<MessageKey>([
  'card.proposal.cosigns',
  'card.vote.turnout',
  'card.result.turnout',
  'card.resolution.progress',
]);

const ELLIPSIS = '…';

/** Lines as plain text in `locale` (user text unescaped). */
export function plainLines(locale: Locale, lines: readonly MessageLine[]): string[] {
  return lines.map((l) => text(locale, l.key, l.params));
}

/** Cuts `text` to at most `units` UTF-16 code units, never inside a surrogate pair. */
function cut(text: string, units: number): string {
  let out = '';
  for (const c of text) {
    if (out.length + c.length > units) break;
    out += c;
  }
  return out;
}

/**
 * Shortens the longest lines (with an ellipsis) until the lines joined by
 * newlines fit `limit` UTF-16 code units. User text is what makes a message
 * long, and it sits in the long lines.
 */
export function fitLines(lines: readonly string[], limit: number): string[] {
  const out = [...lines];
  const total = () => out.reduce((n, l) => n + l.length, 0) + Math.max(0, out.length - 1);
  while (total() > limit && out.length > 0) {
    let longest = 0;
    for (let i = 1; i < out.length; i++) {
      if ((out[i]?.length ?? 0) > (out[longest]?.length ?? 0)) longest = i;
    }
    const line = out[longest] ?? '';
    const keep = Math.max(0, line.length - (total() - limit) - ELLIPSIS.length);
    out[longest] = keep > 0 ? cut(line, keep) + ELLIPSIS : ELLIPSIS;
    if (keep === 0 && total() > limit) out.splice(longest, 1);
  }
  return out;
}

/** Plain text lines -> HTML, the first one bold when `heading`. */
function toHtml(lines: readonly string[], heading: boolean): string {
  return lines
    .map((line, i) =>
      heading && i === 0 && lines.length > 1 ? `<b>${escapeHtml(line)}</b>` : escapeHtml(line),
    )
    .join('\n');
}

function buttonText(action: ButtonAction, locale: Locale): string {
  switch (action.kind) {
    case 'cosign':
      return text(locale, 'button.cosign');
    case 'vote':
      return text(locale, `button.vote_${action.choice}`);
    case 'survey':
      return text(locale, `button.survey_${action.answer}`);
  }
}

/** One row per kind of action (the three ballot choices side by side). */
export function keyboardFor(
  buttons: readonly ButtonAction[],
  locale: Locale,
): InlineKeyboardMarkup {
  const rows: InlineKeyboardButton[][] = [];
  let lastKind: ButtonAction['kind'] | undefined;
  for (const action of buttons) {
    const button: InlineKeyboardButton = {
      text: buttonText(action, locale),
      callback_data: encodeCallbackData(action),
    };
    const row = rows.at(-1);
    if (row && lastKind === action.kind) row.push(button);
    else rows.push([button]);
    lastKind = action.kind;
  }
  return { inline_keyboard: rows };
}

/** A card or notice as a Telegram message: bold heading, progress bar, buttons, within the limit. */
export function renderMessage(message: OutboundMessage): TelegramMessage {
  const texts: string[] = [];
  let barPlaced = message.progress === null;
  const bar = message.progress ? progressBar(message.progress.value, message.progress.total) : '';
  for (const line of message.lines) {
    texts.push(text(message.locale, line.key, line.params));
    if (!barPlaced && PROGRESS_AFTER.has(line.key)) {
      texts.push(bar);
      barPlaced = true;
    }
  }
  if (!barPlaced) texts.push(bar);
  return {
    html: toHtml(fitLines(texts, TELEGRAM_TEXT_LIMIT), true),
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
