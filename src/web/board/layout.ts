/**
 * The page shell every board page shares: mobile-first CSS inline (no
 * JavaScript, no external requests), the navigation and the language switch.
 */
import { type Locale, t } from '../../i18n/translate.ts';
import { html, type SafeHtml } from '../html.ts';

/** Where a page's links point and in which language. */
export type PageContext = {
  locale: Locale;
  /** `/board/KEY`. */
  base: string;
  timezone: string;
  now: Date;
};

/** A link inside the board, keeping the page's language. */
export const boardHref = (ctx: PageContext, path = '', locale: Locale = ctx.locale): string =>
  `${ctx.base}${path}?lang=${locale}`;

const CSS = `
*{box-sizing:border-box}
body{margin:0;font:16px/1.55 system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;color:#1a1a1a;background:#f6f6f3}
header,main,footer{max-width:60rem;margin:0 auto;padding:0 1rem}
header{padding-top:1rem}
h1{font-size:1.5rem;margin:.25rem 0}
h2{font-size:1.2rem;margin:1.75rem 0 .5rem;border-bottom:2px solid #8a1c1c;padding-bottom:.25rem}
h3{font-size:1.05rem;margin:0 0 .25rem}
a{color:#0b4f9c}
nav ul{list-style:none;padding:0;margin:.5rem 0;display:flex;flex-wrap:wrap;gap:.25rem 1rem}
.item{background:#fff;border:1px solid #d5d5d0;border-radius:.5rem;padding:.75rem 1rem;margin:.5rem 0}
.item p{margin:.2rem 0}
.meta{color:#4a4a4a;font-size:.95rem}
.bar{height:.75rem;background:#e4e4df;border-radius:.375rem;overflow:hidden;margin:.3rem 0}
.bar span{display:block;height:100%;background:#2f6f3e}
.badge{display:inline-block;padding:0 .5rem;border-radius:.25rem;font-size:.9rem;font-weight:600;margin-right:.35rem}
.overdue{background:#a01414;color:#fff}
.level{background:#7a4a00;color:#fff}
.state{background:#e8eef7;color:#0d2d55}
.flagged{background:#fde2e2;color:#6b0d0d}
table{border-collapse:collapse;width:100%;background:#fff;margin:.5rem 0}
th,td{border:1px solid #d5d5d0;padding:.3rem .5rem;text-align:left}
td.num,th.num{text-align:right}
.chart{display:grid;gap:1rem}
figure{margin:0;background:#fff;border:1px solid #d5d5d0;border-radius:.5rem;padding:.5rem}
figcaption{font-weight:600;margin-bottom:.25rem}
svg{max-width:100%;height:auto}
ol.timeline{padding-left:1.25rem}
ol.timeline li{margin:.35rem 0}
footer{color:#4a4a4a;font-size:.9rem;padding-bottom:2rem;margin-top:2rem}
@media (min-width:48rem){.chart{grid-template-columns:3fr 2fr}h1{font-size:1.8rem}}
@media print{nav,footer .switch{display:none}body{background:#fff}}
`;

export function page(
  ctx: PageContext,
  input: {
    title: string;
    heading: SafeHtml | string;
    body: SafeHtml;
    path: string;
    community: string;
  },
): string {
  const other: Locale = ctx.locale === 'en' ? 'zh-CN' : 'en';
  return html`<!doctype html>
<html lang="${ctx.locale}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex">
<title>${input.title}</title>
<link rel="alternate" type="application/atom+xml" href="${boardHref(ctx, '/feed.atom')}" title="${t(ctx.locale, 'board.nav.feed')}">
<style>${CSS}</style>
</head>
<body>
<header>
<p class="meta">${input.community}</p>
<h1>${input.heading}</h1>
<nav aria-label="${t(ctx.locale, 'board.nav.board')}"><ul>
<li><a href="${boardHref(ctx)}">${t(ctx.locale, 'board.nav.board')}</a></li>
<li><a href="${boardHref(ctx, '/participation')}">${t(ctx.locale, 'board.nav.participation')}</a></li>
<li><a href="${boardHref(ctx, '/feed.atom')}">${t(ctx.locale, 'board.nav.feed')}</a></li>
<li><a href="${boardHref(ctx, '/calendar.ics')}">${t(ctx.locale, 'board.nav.calendar')}</a></li>
<li class="switch"><a href="${boardHref(ctx, input.path, other)}" lang="${other}" hreflang="${other}">${t(ctx.locale, 'board.nav.other_language')}</a></li>
</ul></nav>
</header>
<main>
${input.body}
</main>
<footer><p>${t(ctx.locale, 'board.privacy')}</p></footer>
</body>
</html>
`.text;
}
