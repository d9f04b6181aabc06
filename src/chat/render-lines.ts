/**
 * The text of a message before any platform's markup: every line formatted
 * with src/i18n in the platform's command form, the progress bar right
 * under the line that states the same count, button labels and rows, and
 * cutting to a platform's length limit. Telegram wraps the result in HTML,
 * Slack in Block Kit mrkdwn; each escapes the text its own way.
 */
import type { ButtonAction, MessageLine, OutboundMessage } from '../app/ports/delivery.ts';
import {
  COMMAND_PREFIX_PARAM,
  type Locale,
  type MessageKey,
  type MessageParams,
  progressBar,
  t,
} from '../i18n/translate.ts';

/** A message's words with the platform's command form (`/`, `/yishi `). */
export function say(
  locale: Locale,
  key: MessageKey,
  commandPrefix: string,
  params: MessageParams = {},
): string {
  return t(locale, key, { [COMMAND_PREFIX_PARAM]: commandPrefix, ...params });
}

/** Lines as plain text in `locale` (user text unescaped). */
export function plainLines(
  locale: Locale,
  lines: readonly MessageLine[],
  commandPrefix: string,
): string[] {
  return lines.map((l) => say(locale, l.key, commandPrefix, l.params));
}

// The progress bar goes right under the line that states the same count.
const PROGRESS_AFTER: ReadonlySet<MessageKey> = new Set<MessageKey>([
  'card.proposal.cosigns',
  'card.vote.turnout',
  'card.result.turnout',
  'card.resolution.progress',
]);

/** A card's or notice's lines as plain text, the progress bar (if any) in its place. */
export function messageTexts(message: OutboundMessage, commandPrefix: string): string[] {
  const texts: string[] = [];
  let barPlaced = message.progress === null;
  const bar = message.progress ? progressBar(message.progress.value, message.progress.total) : '';
  for (const line of message.lines) {
    texts.push(say(message.locale, line.key, commandPrefix, line.params));
    if (!barPlaced && PROGRESS_AFTER.has(line.key)) {
      texts.push(bar);
      barPlaced = true;
    }
  }
  if (!barPlaced) texts.push(bar);
  return texts;
}

/** A button's label in `locale`. */
export function buttonLabel(action: ButtonAction, locale: Locale): string {
  switch (action.kind) {
    case 'cosign':
      return t(locale, 'button.cosign');
    case 'vote':
      return t(locale, `button.vote_${action.choice}`);
    case 'survey':
      return t(locale, `button.survey_${action.answer}`);
    case 'topic':
      return t(locale, 'button.topic_draft', { term: action.term ?? '' });
  }
}

/** One row per kind of action (the three ballot choices side by side). */
export function buttonRows(buttons: readonly ButtonAction[]): ButtonAction[][] {
  const rows: ButtonAction[][] = [];
  for (const action of buttons) {
    const row = rows.at(-1);
    // A hot-topics card's terms are long: one per row.
    if (row && row[0]?.kind === action.kind && action.kind !== 'topic') row.push(action);
    else rows.push([action]);
  }
  return rows;
}

const ELLIPSIS = '…';

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
