import { MIN_BUILDING_HOUSEHOLDS, type ParticipationView } from '../../app/board.ts';
import { type Locale, t } from '../../i18n/translate.ts';
import { html, type SafeHtml } from '../html.ts';
import { type BarGroup, groupedBarChart } from './charts.ts';
import { type PageContext, page } from './layout.ts';

const percent = (l: Locale, share: number) =>
  new Intl.NumberFormat(l, { style: 'percent', maximumFractionDigits: 0 }).format(share);
const share = (part: number, whole: number) => (whole === 0 ? 0 : part / whole);

function figure(chart: SafeHtml, table: SafeHtml, caption: string): SafeHtml {
  return html`<div class="chart"><figure><figcaption>${caption}</figcaption>${chart}</figure><div>${table}</div></div>`;
}

/** `GET /board/:key/participation`. */
export function participationPage(ctx: PageContext, view: ParticipationView): string {
  const l = ctx.locale;
  const name = (b: { building: string | null }) =>
    b.building ?? t(l, 'board.participation.other_buildings');
  const voteLabel = (n: number) => t(l, 'board.participation.vote', { number: n });

  const byBuilding: BarGroup[] = view.buildings.map((b) => ({
    label: name(b),
    bars: [
      ...b.voted.map((v, i) => ({
        label: voteLabel(view.votes[i]?.number ?? 0),
        share: share(v.voted, v.eligible),
        text: percent(l, share(v.voted, v.eligible)),
      })),
      {
        label: t(l, 'board.participation.cosigned'),
        share: share(b.cosigned, b.households),
        text: percent(l, share(b.cosigned, b.households)),
      },
    ],
  }));
  const buildingTable = html`<table><caption>${t(l, 'board.participation.by_building')}</caption>
<thead><tr><th scope="col">${t(l, 'board.participation.building')}</th><th scope="col" class="num">${t(l, 'board.participation.households')}</th>${view.votes.map(
    (v) => html`<th scope="col" class="num">${voteLabel(v.number)}</th>`,
  )}<th scope="col" class="num">${t(l, 'board.participation.cosigned')}</th></tr></thead>
<tbody>${view.buildings.map(
    (b) =>
      html`<tr data-building="${name(b)}"><th scope="row">${name(b)}</th><td class="num">${b.households}</td>${b.voted.map(
        (v) =>
          html`<td class="num">${v.voted}/${v.eligible} (${percent(l, share(v.voted, v.eligible))})</td>`,
      )}<td class="num">${b.cosigned}/${b.households} (${percent(l, share(b.cosigned, b.households))})</td></tr>`,
  )}</tbody></table>`;

  const c = view.concentration;
  const concentrationChart = groupedBarChart(t(l, 'board.participation.concentration'), [
    {
      label: t(l, 'board.participation.share_of_top'),
      bars: [
        {
          label: t(l, 'board.participation.share_proposals'),
          share: c.proposals,
          text: percent(l, c.proposals),
        },
        {
          label: t(l, 'board.participation.share_cosigns'),
          share: c.cosigns,
          text: percent(l, c.cosigns),
        },
      ],
    },
  ]);
  const concentrationTable = html`<p>${t(l, 'board.participation.concentration_text', {
    top: c.topHouseholds,
    households: c.households,
    proposals: c.proposals,
    cosigns: c.cosigns,
  })}</p><table><caption>${t(l, 'board.participation.share_of_top')}</caption><tbody>
<tr><th scope="row">${t(l, 'board.participation.share_proposals')}</th><td class="num">${percent(l, c.proposals)}</td></tr>
<tr><th scope="row">${t(l, 'board.participation.share_cosigns')}</th><td class="num">${percent(l, c.cosigns)}</td></tr></tbody></table>`;

  const trendChart = groupedBarChart(t(l, 'board.participation.trend'), [
    {
      label: t(l, 'board.participation.active'),
      bars: view.months.map((m) => ({
        label: m.month,
        share: m.share,
        text: String(m.households),
      })),
    },
  ]);
  const trendTable = html`<table><caption>${t(l, 'board.participation.trend')}</caption>
<thead><tr><th scope="col">${t(l, 'board.participation.month')}</th><th scope="col" class="num">${t(l, 'board.participation.active')}</th><th scope="col" class="num">${t(l, 'board.participation.share')}</th></tr></thead>
<tbody>${view.months.map(
    (m) =>
      html`<tr><th scope="row">${m.month}</th><td class="num">${m.households}</td><td class="num">${percent(l, m.share)}</td></tr>`,
  )}</tbody></table>`;

  const body = html`<p>${t(l, 'board.participation.intro', { min: MIN_BUILDING_HOUSEHOLDS })}</p>
<section aria-labelledby="p-buildings"><h2 id="p-buildings">${t(l, 'board.participation.by_building')}</h2>
${view.votes.length === 0 ? html`<p class="meta">${t(l, 'board.participation.no_votes')}</p>` : ''}
${figure(groupedBarChart(t(l, 'board.participation.by_building'), byBuilding), buildingTable, t(l, 'board.participation.by_building'))}</section>
<section aria-labelledby="p-concentration"><h2 id="p-concentration">${t(l, 'board.participation.concentration')}</h2>
${figure(concentrationChart, concentrationTable, t(l, 'board.participation.concentration'))}</section>
<section aria-labelledby="p-trend"><h2 id="p-trend">${t(l, 'board.participation.trend')}</h2>
${figure(trendChart, trendTable, t(l, 'board.participation.trend'))}</section>`;
  const heading = t(l, 'board.participation.title');
  return page(ctx, {
    title: `${heading} · ${view.community.name}`,
    heading,
    body,
    path: '/participation',
    community: view.community.name,
  });
}
