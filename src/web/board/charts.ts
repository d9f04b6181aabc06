/**
 * Bar charts as inline SVG drawn on the server: no script, readable when
 * printed, and each one sits beside a table with the same numbers (the table
 * is what screen readers and tests read; the SVG is `role="img"` with a title).
 */
import { html, type SafeHtml } from '../html.ts';

export type Bar = { label: string; share: number; text: string };
export type BarGroup = { label: string; bars: Bar[] };

const COLOURS = ['#2f6f3e', '#0b4f9c', '#8a1c1c', '#7a4a00', '#4b2a7b', '#1e5f66'];

/** Horizontal bars grouped under labels; `share` in 0..1. */
export function groupedBarChart(title: string, groups: readonly BarGroup[]): SafeHtml {
  const labelWidth = 150;
  const barWidth = 260;
  const barHeight = 14;
  const gap = 4;
  const rows: SafeHtml[] = [];
  let y = 4;
  for (const group of groups) {
    rows.push(
      html`<text x="0" y="${y + 12}" font-size="13" font-weight="600" fill="#1a1a1a">${group.label}</text>`,
    );
    y += 18;
    group.bars.forEach((bar, i) => {
      const width = Math.round(Math.max(0, Math.min(1, bar.share)) * barWidth);
      rows.push(html`<text x="8" y="${y + 11}" font-size="11" fill="#333">${bar.label}</text>
<rect x="${labelWidth}" y="${y}" width="${barWidth}" height="${barHeight}" fill="#e4e4df"></rect>
<rect x="${labelWidth}" y="${y}" width="${width}" height="${barHeight}" fill="${COLOURS[i % COLOURS.length] ?? '#2f6f3e'}"></rect>
<text x="${labelWidth + barWidth + 6}" y="${y + 11}" font-size="11" fill="#1a1a1a">${bar.text}</text>`);
      y += barHeight + gap;
    });
    y += 6;
  }
  const width = labelWidth + barWidth + 60;
  return html`<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${width} ${y}" width="${width}" height="${y}" role="img" aria-label="${title}"><title>${title}</title>${rows}</svg>`;
}
