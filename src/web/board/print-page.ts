/**
 * The A4 公示 page the committee posts in the lobby: one passed resolution
 * or one announced vote, with a QR code to the item's page.
 */
import QRCode from 'qrcode';
import type { ItemView } from '../../app/board.ts';
import { formatDate, formatList, t } from '../../i18n/translate.ts';
import { html, trusted } from '../html.ts';
import { when } from './item-card.ts';
import type { PageContext } from './layout.ts';

const CSS = `
@page{size:A4;margin:18mm}
body{font:16px/1.7 "Noto Serif CJK SC","Songti SC",serif;color:#000;background:#fff;max-width:180mm;margin:0 auto;padding:1rem}
h1{text-align:center;font-size:2rem;letter-spacing:.3em;margin:.5rem 0 1.5rem}
h2{font-size:1.3rem;margin:.5rem 0 1rem}
dl{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem}
dt{font-weight:700}
dd{margin:0}
.qr{display:flex;gap:1rem;align-items:center;margin-top:2rem}
.qr svg{width:35mm;height:35mm}
.sign{text-align:right;margin-top:3rem}
`;

export async function printPage(
  ctx: PageContext,
  view: ItemView,
  itemUrl: string,
): Promise<string> {
  const l = ctx.locale;
  const { item } = view;
  const r = item.resolution;
  const isVote = item.result === null;
  const qr = await QRCode.toString(itemUrl, { type: 'svg', margin: 1, errorCorrectionLevel: 'M' });
  const rows: [string, string][] = [];
  if (isVote) {
    if (item.votingOpensAt)
      rows.push([
        t(l, 'board.vote_opens', { date: '' }).replace(/[:：]\s*$/, ''),
        when(ctx, item.votingOpensAt),
      ]);
    if (item.votingClosesAt)
      rows.push([
        t(l, 'board.vote_closes', { date: '' }).replace(/[:：]\s*$/, ''),
        when(ctx, item.votingClosesAt),
      ]);
  } else {
    rows.push([
      t(l, `state.proposal.${item.state === 'passed' ? 'passed' : 'rejected'}`),
      item.tally ? t(l, 'board.tally', { ...item.tally }) : '',
    ]);
    if (r) {
      rows.push([t(l, 'board.lead', { lead: '' }).replace(/[:：]\s*$/, ''), r.lead]);
      if (r.coop.length > 0)
        rows.push([
          t(l, 'board.coop', { coop: '' }).replace(/[:：]\s*$/, ''),
          formatList(r.coop, l),
        ]);
      rows.push([
        t(l, 'board.due', { date: '' })
          .replace(/[:：]\s*$/, '')
          .trim(),
        when(ctx, r.dueAt),
      ]);
    }
  }
  const heading = t(l, isVote ? 'board.print.vote' : 'board.print.resolution');
  return html`<!doctype html>
<html lang="${l}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><meta name="robots" content="noindex">
<title>${heading} #${item.number} · ${view.community.name}</title><style>${CSS}</style></head>
<body><main>
<h1>${heading}</h1>
<h2>#${item.number} ${item.title}</h2>
${item.body ? html`<p>${item.body}</p>` : ''}
<dl>${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}</dl>
<div class="qr"><div role="img" aria-label="${t(l, 'board.print.scan')}">${trusted(qr)}</div><p>${t(l, 'board.print.scan')}<br><span>${itemUrl}</span></p></div>
<p class="sign">${t(l, 'board.print.issuer', { community: view.community.name })}<br>${t(l, 'board.print.posted', { date: formatDate(ctx.now, l, ctx.timezone) })}</p>
</main></body></html>
`.text;
}
