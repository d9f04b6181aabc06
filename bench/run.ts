/**
 * `npm run bench [-- --quick] [-- --only a,b] [-- --out FILE]`: runs every
 * scenario in turn, prints one JSON line per scenario on stdout and ends with
 * a Markdown table, written to bench/results.md (full runs) or to `--out`.
 *
 * A scenario that throws is reported with its error and the run goes on. The
 * exit code is non-zero when the harness breaks, and in quick mode (the CI
 * smoke test) also when any scenario threw.
 */
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { describeError } from '../src/errors.ts';
import { jsonLine, markdownReport } from './lib/report.ts';
import { NotMeasured, type Scenario, type ScenarioReport } from './lib/types.ts';
import { scenarios } from './scenarios/index.ts';

const RESULTS = new URL('./results.md', import.meta.url);

async function runScenario(scenario: Scenario, quick: boolean): Promise<ScenarioReport> {
  const started = performance.now();
  const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
  log(`${scenario.name}: ${scenario.title}${quick ? ' (quick)' : ''}`);
  try {
    const outcome = await scenario.run({ quick, log });
    return {
      scenario: scenario.name,
      ...outcome,
      durationMs: Math.round(performance.now() - started),
    };
  } catch (error) {
    const durationMs = Math.round(performance.now() - started);
    if (error instanceof NotMeasured) {
      return {
        scenario: scenario.name,
        size: {},
        figures: [],
        notMeasured: error.message,
        durationMs,
      };
    }
    log(
      `${scenario.name} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`,
    );
    return {
      scenario: scenario.name,
      size: {},
      figures: [],
      error: describeError(error),
      durationMs,
    };
  }
}

async function main(): Promise<number> {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      only: { type: 'string' },
      out: { type: 'string' },
    },
  });
  const quick = values.quick ?? false;
  const only = values.only?.split(',').map((s) => s.trim());
  const unknown = only?.filter((name) => !scenarios.some((s) => s.name === name)) ?? [];
  if (unknown.length > 0) {
    process.stderr.write(
      `bench: unknown scenario ${unknown.join(', ')}; expected ${scenarios.map((s) => s.name).join(', ')}\n`,
    );
    return 2;
  }
  const selected = only ? scenarios.filter((s) => only.includes(s.name)) : scenarios;
  const startedAt = new Date();
  const started = performance.now();
  const reports: ScenarioReport[] = [];
  for (const scenario of selected) {
    const report = await runScenario(scenario, quick);
    reports.push(report);
    process.stdout.write(`${jsonLine(report)}\n`);
  }
  const markdown = markdownReport(reports, {
    quick,
    startedAt,
    durationMs: performance.now() - started,
  });
  process.stdout.write(`\n${markdown}`);
  // A quick or partial run must not overwrite the full results unless asked to.
  const out = values.out ?? (quick || only ? undefined : RESULTS);
  if (out) await writeFile(out, markdown);
  const threw = reports.filter((r) => r.error).length;
  return quick && threw > 0 ? 1 : 0;
}

main().then(
  (code) => {
    // Pools and sockets a failed scenario left open must not keep the process alive.
    process.exit(code);
  },
  (error: unknown) => {
    process.stderr.write(`bench: ${describeError(error)}\n`);
    process.exit(2);
  },
);
