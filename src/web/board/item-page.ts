import type { ChainState, ItemView, TimelineEvent } from '../../app/board.ts';
import { formatList, type Locale, type MessageKey, t } from '../../i18n/translate.ts';
import { html, type SafeHtml } from '../html.ts';
import { itemData, itemFacts, when } from './item-card.ts';
import { boardHref, type PageContext, page } from './layout.ts';

const resultLabel = (l: Locale, result: string): string =>
  ['passed', 'rejected', 'no_quorum'].includes(result)
    ? t(l, `state.proposal.${result}` as MessageKey)
    : result;

export function eventText(ctx: PageContext, e: TimelineEvent): string {
  const l = ctx.locale;
  switch (e.kind) {
    case 'proposed':
      return t(l, 'board.event.proposed');
    case 'agenda':
      return t(l, 'board.event.agenda');
    case 'scheduled':
      return t(l, 'board.event.scheduled', {
        opens: when(ctx, e.opensAt),
        closes: when(ctx, e.closesAt),
      });
    case 'opened':
      return t(l, 'board.event.opened', { eligible: e.eligible, closes: when(ctx, e.closesAt) });
    case 'closed':
      return t(l, 'board.event.closed', {
        result: resultLabel(l, e.result),
        ...e.tally,
        eligible: e.eligible,
      });
    case 'assigned':
      return t(l, 'board.event.assigned', {
        lead: e.lead,
        coop:
          e.coop.length > 0
            ? t(l, 'board.event.assigned_coop', { coop: formatList(e.coop, l) })
            : '',
        due: when(ctx, e.dueAt),
      });
    case 'progress':
      return t(l, 'board.event.progress', { percent: e.percent, note: e.note });
    case 'escalated':
      return t(l, 'board.event.escalated', {
        label: t(l, `escalation.label.${e.level}` as MessageKey),
      });
    case 'done':
      return t(l, 'board.event.done', { note: e.note });
    case 'survey':
      return t(l, 'board.event.survey', {
        satisfied: e.satisfied,
        answered: e.answered,
        flagged: e.flagged,
      });
    case 'expired':
      return t(l, 'board.event.expired');
    case 'withdrawn':
      return t(l, 'board.event.withdrawn');
  }
}

export function chainText(ctx: PageContext, chain: ChainState): string {
  const l = ctx.locale;
  if (chain.kind === 'broken')
    return t(l, 'board.chain.broken', { index: chain.chainIndex, reason: chain.reason });
  const sealed =
    chain.sealedUpTo === null || chain.sealedAt === null
      ? t(l, 'board.chain.intact_empty')
      : t(l, 'board.chain.intact', {
          index: chain.sealedUpTo,
          date: when(ctx, chain.sealedAt.toISOString()),
        });
  return chain.pending > 0
    ? `${sealed} ${t(l, 'board.chain.pending', { count: chain.pending })}`
    : sealed;
}

/** Passed resolutions and announced votes get an A4 notice. */
export const printable = (view: Pick<ItemView, 'item'>): boolean =>
  view.item.state === 'passed' ||
  view.item.state === 'noticed' ||
  view.item.state === 'voting' ||
  view.item.state === 'agenda';

/** `GET /board/:key/:N`. */
export function itemPage(ctx: PageContext, view: ItemView): string {
  const l = ctx.locale;
  const { item } = view;
  const events: SafeHtml[] = view.timeline.map(
    (e) => html`<li><time datetime="${e.at}">${when(ctx, e.at)}</time>: ${eventText(ctx, e)}</li>`,
  );
  const body = html`<article class="item"${itemData(item)}>
${item.body ? html`<p>${item.body}</p>` : ''}
${itemFacts(ctx, item)}
${printable(view) ? html`<p><a href="${boardHref(ctx, `/${item.number}/print`)}">${t(l, 'board.nav.print')}</a></p>` : ''}
</article>
<section aria-labelledby="timeline"><h2 id="timeline">${t(l, 'board.item.timeline')}</h2>
${events.length === 0 ? html`<p class="meta">${t(l, 'board.item.no_events')}</p>` : html`<ol class="timeline">${events}</ol>`}
<p class="meta" data-chain="${view.chain.kind}">${chainText(ctx, view.chain)}</p>
</section>`;
  const heading = `#${item.number} ${item.title}`;
  return page(ctx, {
    title: `${heading} · ${view.community.name}`,
    heading,
    body,
    path: `/${item.number}`,
    community: view.community.name,
  });
}
