import type { BoardItem, BoardView } from '../../app/board.ts';
import { formatDateTime, type MessageKey, t } from '../../i18n/translate.ts';
import { html, type SafeHtml } from '../html.ts';
import { itemCard } from './item-card.ts';
import { type PageContext, page } from './layout.ts';

const SECTIONS = [
  ['votes', 'board.section.votes'],
  ['resolutions', 'board.section.resolutions'],
  ['collecting', 'board.section.collecting'],
  ['results', 'board.section.results'],
  ['done', 'board.section.done'],
] as const satisfies readonly (readonly [keyof BoardView, MessageKey])[];

/** A hot topic as the board shows it: the term and its counts, nothing of who said it. */
export type BoardHotTopic = { term: string; count: number; senders: number };

/** The hot-topics section: what residents keep raising in the opted-in chats. */
function hotTopicsSection(ctx: PageContext, hot: readonly BoardHotTopic[]): SafeHtml {
  const l = ctx.locale;
  return html`<section aria-labelledby="s-hot"><h2 id="s-hot">${t(l, 'board.section.hot_topics')}</h2>${
    hot.length === 0
      ? html`<p class="meta">${t(l, 'topics.empty')}</p>`
      : html`<ol>${hot.map((h) => html`<li>${t(l, 'board.hot_topic', h)}</li>`)}</ol>`
  }</section>`;
}

/** `GET /board/:key`; `hot` when the community has hot topics on. */
export function boardPage(
  ctx: PageContext,
  view: BoardView,
  hot?: readonly BoardHotTopic[],
): string {
  const l = ctx.locale;
  const more =
    view.doneTotal > view.done.length
      ? html`<p class="meta">${t(l, 'board.done_more', { shown: view.done.length, total: view.doneTotal })}</p>`
      : '';
  const section = (id: string, key: MessageKey, items: readonly BoardItem[]) =>
    html`<section aria-labelledby="s-${id}"><h2 id="s-${id}">${t(l, key)}</h2>${
      items.length === 0
        ? html`<p class="meta">${t(l, 'board.none')}</p>`
        : items.map((i) => itemCard(ctx, i))
    }${id === 'done' ? more : ''}</section>`;
  const body = html`<p>${t(l, 'board.intro')}</p>
<p class="meta">${t(l, 'board.updated', { date: formatDateTime(ctx.now, l, ctx.timezone), timezone: ctx.timezone })}</p>
${SECTIONS.map(([id, key]) => section(id, key, view[id]))}${hot ? hotTopicsSection(ctx, hot) : ''}`;
  const title = t(l, 'board.title', { community: view.community.name });
  return page(ctx, { title, heading: title, body, path: '', community: view.community.name });
}
