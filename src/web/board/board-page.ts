import type { BoardItem, BoardView } from '../../app/board.ts';
import { formatDateTime, type MessageKey, t } from '../../i18n/translate.ts';
import { html } from '../html.ts';
import { itemCard } from './item-card.ts';
import { type PageContext, page } from './layout.ts';

const SECTIONS = [
  ['votes', 'board.section.votes'],
  ['resolutions', 'board.section.resolutions'],
  ['collecting', 'board.section.collecting'],
  ['results', 'board.section.results'],
  ['done', 'board.section.done'],
] as const satisfies readonly (readonly [keyof BoardView, MessageKey])[];

/** `GET /board/:key`. */
export function boardPage(ctx: PageContext, view: BoardView): string {
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
${SECTIONS.map(([id, key]) => section(id, key, view[id]))}`;
  const title = t(l, 'board.title', { community: view.community.name });
  return page(ctx, { title, heading: title, body, path: '', community: view.community.name });
}
