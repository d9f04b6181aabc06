/**
 * Slack's three control characters. Slack sends `&`, `<` and `>` in what a
 * person typed as `&amp;`, `&lt;` and `&gt;`, and reads `<...>` in our text
 * as a mention, a channel ping (`<!channel>`) or a link. Text is decoded on
 * the way in, so a title is stored as the resident typed it, and escaped on
 * the way out, so it is shown as typed and can never ping, mention or link.
 */

const OUT: Readonly<Record<string, string>> = { '&': '&amp;', '<': '&lt;', '>': '&gt;' };
const IN: Readonly<Record<string, string>> = { '&amp;': '&', '&lt;': '<', '&gt;': '>' };

/** The text as it must appear in mrkdwn (and in a message's `text`). */
export function escapeMrkdwn(text: string): string {
  return text.replace(/[&<>]/g, (c) => OUT[c] ?? c);
}

/** What the person typed, from the text Slack delivers (one pass, so `&amp;lt;` stays `&lt;`). */
export function decodeSlackText(text: string): string {
  return text.replace(/&(?:amp|lt|gt);/g, (entity) => IN[entity] ?? entity);
}
