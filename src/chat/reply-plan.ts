/**
 * What to answer, platform-neutral: each platform's renderer turns it into
 * its own markup and calls (Telegram HTML, a private message and a callback
 * answer; Slack Block Kit, ephemeral messages and response_url).
 */
import type { MessageLine, OutboundMessage } from '../app/ports/delivery.ts';
import type { Locale } from '../i18n/translate.ts';

/** Lines said in answer to a command. */
export type MessageReply = {
  kind: 'message';
  /** The language of the words (after `/lang`, the new one). */
  locale: Locale;
  lines: MessageLine[];
  /**
   * The command's own text shows a ballot or a join code: remove it from
   * the chat where the platform can, and never repeat it publicly.
   */
  deleteCommand: boolean;
  /**
   * Say it to the person only (it reveals a ballot). Where the platform
   * cannot reach the person privately, say `fallback` in the chat instead:
   * it never reveals the choice.
   */
  privately: { fallback: MessageLine[] } | undefined;
};

/** A card (`/status N`): lines, progress bar and buttons, as the bound chats see it. */
export type CardReply = { kind: 'card'; message: OutboundMessage };

/** The answer to a button press, shown to the presser only; `alert` when it needs their attention (a refusal). */
export type ActionAnswer = { kind: 'answer'; locale: Locale; lines: MessageLine[]; alert: boolean };

/** Nothing to say (a new proposal in a bound chat: its card is the answer). */
export type NoReply = { kind: 'none' };

export type ChatReply = MessageReply | CardReply | ActionAnswer | NoReply;

/** A public answer in the chat's language. */
export function say(
  locale: Locale,
  lines: MessageLine[],
  options: { deleteCommand?: boolean; privately?: { fallback: MessageLine[] } } = {},
): MessageReply {
  return {
    kind: 'message',
    locale,
    lines,
    deleteCommand: options.deleteCommand ?? false,
    privately: options.privately,
  };
}
