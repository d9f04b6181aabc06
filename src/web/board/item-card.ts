/**
 * One item as the board shows it. The numbers are also written as data-*
 * attributes so a test (or a scraper) can compare them with `yishi status --json`.
 */
import type { BoardItem } from '../../app/board.ts';
import { formatDateTime, formatList, type MessageKey, t } from '../../i18n/translate.ts';
import { html, type SafeHtml } from '../html.ts';
import { boardHref, type PageContext } from './layout.ts';

export const when = (ctx: PageContext, iso: string): string =>
  formatDateTime(new Date(iso), ctx.locale, ctx.timezone);

export function bar(label: string, value: number, total: number): SafeHtml {
  const percent = total <= 0 ? 0 : Math.min(100, Math.round((value / total) * 100));
  return html`<div class="bar" role="progressbar" aria-label="${label}" aria-valuemin="0" aria-valuemax="100" aria-valuenow="${percent}"><span style="width:${percent}%"></span></div>`;
}

/** The item's facts, without its heading (shared by the board and the item page). */
export function itemFacts(ctx: PageContext, item: BoardItem): SafeHtml {
  const l = ctx.locale;
  const parts: SafeHtml[] = [];
  const stateLabel = t(l, `state.proposal.${item.state}` as MessageKey);
  const r = item.resolution;
  parts.push(
    html`<p><span class="badge state">${r ? t(l, `state.resolution.${r.state}` as MessageKey) : stateLabel}</span>${
      r?.overdue ? html`<span class="badge overdue">${t(l, 'board.overdue')}</span>` : ''
    }${
      r && r.escalationLevel > 0
        ? html`<span class="badge level">${t(l, 'board.escalation', { label: t(l, `escalation.label.${r.escalationLevel}` as MessageKey) })}</span>`
        : ''
    }</p>`,
  );
  if (item.state === 'collecting') {
    const text = t(l, 'board.cosigns', { count: item.cosigns, threshold: item.cosignThreshold });
    parts.push(html`<p>${text}</p>${bar(text, item.cosigns, item.cosignThreshold)}`);
    parts.push(
      html`<p class="meta">${t(l, 'board.cosign_deadline', { date: when(ctx, item.cosignDeadline) })}</p>`,
    );
  }
  if (
    item.votingOpensAt !== null &&
    (item.state === 'agenda' || item.state === 'noticed' || item.state === 'voting')
  ) {
    parts.push(
      html`<p class="meta">${t(l, 'board.vote_opens', { date: when(ctx, item.votingOpensAt) })}${
        item.votingClosesAt
          ? html` · ${t(l, 'board.vote_closes', { date: when(ctx, item.votingClosesAt) })}`
          : ''
      }</p>`,
    );
  }
  if (item.turnout !== null) {
    const { ballots, eligible } = item.turnout;
    const text = t(l, 'board.turnout', {
      ballots,
      eligible,
      share: eligible === 0 ? 0 : ballots / eligible,
    });
    parts.push(html`<p>${text}</p>${bar(text, ballots, eligible)}`);
  }
  if (item.state === 'voting') parts.push(html`<p class="meta">${t(l, 'board.tally_hidden')}</p>`);
  if (item.tally !== null) {
    parts.push(
      html`<p><strong>${stateLabel}</strong> · ${t(l, 'board.tally', { ...item.tally })}</p>`,
    );
  }
  if (r) {
    parts.push(html`<p>${t(l, 'board.lead', { lead: r.lead })}</p>`);
    if (r.coop.length > 0)
      parts.push(html`<p>${t(l, 'board.coop', { coop: formatList(r.coop, l) })}</p>`);
    parts.push(html`<p>${t(l, 'board.due', { date: when(ctx, r.dueAt) })}</p>`);
    const text = t(l, 'board.progress', { percent: r.progress });
    parts.push(html`<p>${text}</p>${bar(text, r.progress, 100)}`);
    if (r.latestNote !== null) {
      parts.push(
        html`<p class="meta">${t(l, 'board.latest_note', {
          date: item.latestNoteAt ? when(ctx, item.latestNoteAt) : '-',
          note: r.latestNote,
        })}</p>`,
      );
    }
    if (item.satisfaction) {
      parts.push(
        html`<p${item.satisfaction.flagged ? html` class="badge flagged"` : ''}>${t(l, 'board.satisfaction', { ...item.satisfaction })}</p>`,
      );
    } else if (r.state === 'done') {
      parts.push(html`<p class="meta">${t(l, 'board.satisfaction_open')}</p>`);
    }
  }
  return html`${parts}`;
}

/** Machine-readable numbers of an item, equal to its `yishi status --json` view. */
export function itemData(item: BoardItem): SafeHtml {
  const r = item.resolution;
  const attrs: [string, string | number | boolean | null | undefined][] = [
    ['number', item.number],
    ['state', item.state],
    ['cosigns', item.cosigns],
    ['threshold', item.cosignThreshold],
    ['ballots', item.turnout?.ballots],
    ['eligible', item.turnout?.eligible],
    ['for', item.tally?.for],
    ['against', item.tally?.against],
    ['abstain', item.tally?.abstain],
    ['progress', r?.progress],
    ['level', r?.escalationLevel],
    ['overdue', r?.overdue],
  ];
  return html`${attrs
    .filter(([, v]) => v !== undefined && v !== null)
    .map(([k, v]) => html` data-${k}="${String(v)}"`)}`;
}

export function itemCard(ctx: PageContext, item: BoardItem): SafeHtml {
  return html`<article class="item" id="item-${item.number}"${itemData(item)}>
<h3><a href="${boardHref(ctx, `/${item.number}`)}">#${item.number} ${item.title}</a></h3>
${itemFacts(ctx, item)}
</article>`;
}
