/**
 * Output of a run: one JSON line per scenario on stdout, then a Markdown
 * table (scenario, figure, goal, baseline, ratio) with the machine it ran on.
 */
import { cpus, totalmem } from 'node:os';
import type { Figure, Goal, ScenarioReport } from './types.ts';

export type Machine = {
  cpu: string;
  cpus: number;
  memoryGb: number;
  node: string;
  platform: string;
};

export function machine(): Machine {
  const list = cpus();
  return {
    cpu: list[0]?.model.trim() ?? 'unknown',
    cpus: list.length,
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    platform: `${process.platform}-${process.arch}`,
  };
}

export const jsonLine = (report: ScenarioReport): string => JSON.stringify(report);

/** True, false, or undefined when there is no goal or no value. */
export function goalMet(figure: Figure): boolean | undefined {
  const { goal, value } = figure;
  if (!goal || value === null) return undefined;
  if (goal.op === '>=') return value >= goal.value;
  if (goal.op === '<=') return value <= goal.value;
  return value === goal.value;
}

/** Numbers for people: 3 significant digits, thousands separated. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) return String(value);
  const abs = Math.abs(value);
  const digits = abs >= 100 ? 0 : abs >= 10 ? 1 : abs >= 1 ? 2 : 3;
  return value.toLocaleString('en-US', { maximumFractionDigits: digits });
}

const withUnit = (value: number, unit: string) =>
  unit === 'count' ? formatNumber(value) : `${formatNumber(value)} ${unit}`;

const OPS: Record<Goal['op'], string> = { '>=': '≥', '<=': '≤', '=': '=' };

function goalCell(figure: Figure): string {
  if (!figure.goal) return '';
  const met = goalMet(figure);
  const mark = met === undefined ? '' : met ? ' ✅' : ' ❌';
  return `${OPS[figure.goal.op]} ${withUnit(figure.goal.value, figure.unit)}${mark}`;
}

function figureCell(figure: Figure): string {
  const value = figure.value === null ? 'not measured' : withUnit(figure.value, figure.unit);
  const note = figure.note ? ` (${figure.note})` : '';
  return `${figure.name}: ${value}${note}`;
}

const escapeCell = (text: string) => text.replaceAll('|', '\\|').replaceAll('\n', ' ');

export function markdownTable(reports: readonly ScenarioReport[]): string {
  const rows = ['| scenario | figure | goal | baseline | ratio |', '|---|---|---|---|---|'];
  for (const r of reports) {
    const name = r.path ? `${r.scenario} (${r.path})` : r.scenario;
    if (r.error) rows.push(`| ${name} | error: ${escapeCell(r.error)} | | | |`);
    if (r.notMeasured) rows.push(`| ${name} | not measured: ${escapeCell(r.notMeasured)} | | | |`);
    for (const f of r.figures) {
      const baseline =
        f.baseline === undefined || f.baseline === null ? '' : withUnit(f.baseline, f.unit);
      const ratio = f.ratio === undefined || f.ratio === null ? '' : `${f.ratio.toFixed(2)}×`;
      rows.push(
        `| ${name} | ${escapeCell(figureCell(f))} | ${goalCell(f)} | ${baseline} | ${ratio} |`,
      );
    }
  }
  return rows.join('\n');
}

export function markdownReport(
  reports: readonly ScenarioReport[],
  run: { quick: boolean; startedAt: Date; durationMs: number },
): string {
  const m = machine();
  return [
    `# Benchmark results${run.quick ? ' (quick mode: small sizes, not comparable)' : ''}`,
    '',
    `Run ${run.startedAt.toISOString()}, ${formatNumber(run.durationMs / 60_000)} min, on ${m.cpus} × ${m.cpu}, ${m.memoryGb} GB, Node ${m.node} (${m.platform}).`,
    'Ratios are the product figure over the bare-tool baseline measured in the same run.',
    '',
    markdownTable(reports),
    '',
  ].join('\n');
}

/** Ratio rounded for the JSON line; null when either side is missing or the baseline is 0. */
export function ratio(value: number | null, baseline: number | null | undefined): number | null {
  if (value === null || baseline === null || baseline === undefined || baseline === 0) return null;
  return Math.round((value / baseline) * 1000) / 1000;
}
