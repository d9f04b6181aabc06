/**
 * Escaping for Telegram's HTML parse mode. Every piece of text that a person
 * typed (titles, notes, unit names) and every translated message passes
 * through here before it is put between our own tags, so `<a href=...>` in a
 * title is shown as text and can never become a link or a mention.
 */

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
};

/** The text as it must appear inside Telegram HTML: `&`, `<`, `>` and `"` as entities. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"]/g, (c) => ENTITIES[c] ?? c);
}
