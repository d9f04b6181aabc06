/**
 * Platform-neutral messages -> Slack Block Kit.
 *
 * A card is a `header` block (its first line, plain text, so a title shows
 * as typed), a `section` with the other lines in mrkdwn, and one `actions`
 * block per row of buttons; the message's `text` (what notifications and
 * old clients show) carries every line. Every line is formatted with
 * src/i18n first and escaped as a whole (`&`, `<`, `>`), and the section is
 * `verbatim`, so nothing a resident typed becomes a ping, a mention or a
 * link. Blocks have limits of their own (a header 150 characters, a section
 * 3000); the longest lines are cut with an ellipsis until they fit.
 */
import type { MessageLine, OutboundMessage } from '../../src/app/ports/delivery.ts';
import { encodeActionData } from '../../src/chat/action-data.ts';
import {
  buttonLabel,
  buttonRows,
  fitLines,
  messageTexts,
  plainLines,
} from '../../src/chat/render-lines.ts';
import { type Locale, t } from '../../src/i18n/translate.ts';
import { escapeMrkdwn } from './escape.ts';

/** Slack commands read `/yishi vote 12 for`: one slash command for every command of the contract. */
export const SLACK_COMMAND_PREFIX = '/yishi ';

/** Block Kit limits, in characters. */
export const HEADER_LIMIT = 150;
export const SECTION_LIMIT = 3000;

type PlainText = { type: 'plain_text'; text: string; emoji?: boolean };

export type SlackBlock =
  | { type: 'header'; text: PlainText }
  | { type: 'section'; text: { type: 'mrkdwn'; text: string; verbatim: boolean } }
  | {
      type: 'actions';
      block_id: string;
      elements: { type: 'button'; text: PlainText; action_id: string; value: string }[];
    };

export type SlackMessage = {
  /** mrkdwn, escaped: every line of the message. */
  text: string;
  /** Header, body and buttons; an empty `actions` list removes buttons on an edit. */
  blocks: SlackBlock[];
};

/** Plain lines -> escaped mrkdwn within `limit`. */
function mrkdwn(lines: readonly string[], limit: number): string {
  // Escaping lengthens the text: fit what will be sent, not what was formatted.
  return fitLines(lines.map(escapeMrkdwn), limit).join('\n');
}

/** A card or notice: header, body, buttons. */
export function renderMessage(message: OutboundMessage): SlackMessage {
  const texts = messageTexts(message, SLACK_COMMAND_PREFIX);
  const [heading = '', ...body] = texts;
  const blocks: SlackBlock[] = [
    {
      type: 'header',
      text: { type: 'plain_text', text: fitLines([heading], HEADER_LIMIT).join(''), emoji: false },
    },
  ];
  if (body.length > 0) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: mrkdwn(body, SECTION_LIMIT), verbatim: true },
    });
  }
  if (message.link) {
    // Our own URL (PUBLIC_URL and a board key), escaped like any text so `&` cannot end it.
    const label = escapeMrkdwn(t(message.locale, message.link.label));
    blocks.push({
      type: 'section',
      text: {
        type: 'mrkdwn',
        text: `<${escapeMrkdwn(message.link.url)}|${label}>`,
        verbatim: true,
      },
    });
  }
  buttonRows(message.buttons).forEach((row, i) => {
    blocks.push({
      type: 'actions',
      block_id: `yishi-actions-${i}`,
      elements: row.map((action) => {
        const data = encodeActionData(action);
        return {
          type: 'button',
          text: { type: 'plain_text', text: buttonLabel(action, message.locale), emoji: false },
          action_id: data,
          value: data,
        };
      }),
    });
  });
  return { text: mrkdwn(texts, SECTION_LIMIT), blocks };
}

/** A command reply or a button's answer: escaped mrkdwn lines. */
export function renderReply(locale: Locale, lines: readonly MessageLine[]): string {
  return mrkdwn(plainLines(locale, lines, SLACK_COMMAND_PREFIX), SECTION_LIMIT);
}
