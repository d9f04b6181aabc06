/**
 * What a scenario measures and reports. A scenario returns figures; the
 * runner prints them as one JSON line and as rows of the Markdown table.
 */

/** The target a figure is held to: `>=` for rates, `<=` for latencies and sizes, `=` for counts. */
export type Goal = { op: '>=' | '<=' | '='; value: number };

export type Figure = {
  /** What is measured, e.g. `updates/s`, `ack p99`. */
  name: string;
  /** The measured value; null when it could not be measured (see `note`). */
  value: number | null;
  /** Unit of `value`, `goal` and `baseline`: `/s`, `ms`, `B`, `MB`, `count`, `%`. */
  unit: string;
  goal?: Goal;
  /** The same figure for the bare tools, measured in the same run. */
  baseline?: number | null;
  /** `value / baseline`. */
  ratio?: number | null;
  note?: string;
};

export type ScenarioReport = {
  scenario: string;
  /** The sizes this run used (voters, deadlines, updates ...). */
  size: Record<string, number>;
  figures: Figure[];
  /** Set when the product part is not available: no figure is faked. */
  notMeasured?: string;
  /** Set when the scenario threw: the run goes on. */
  error?: string;
  /** Which path was measured, e.g. `webhook` or `core`. */
  path?: string;
  durationMs: number;
  /** Anything else worth keeping in the JSON line (checks, counts). */
  details?: Record<string, unknown>;
};

export type ScenarioContext = {
  quick: boolean;
  /** Progress lines to stderr, so stdout keeps one JSON line per scenario. */
  log: (message: string) => void;
};

export type ScenarioOutcome = Omit<ScenarioReport, 'scenario' | 'durationMs'>;

export type Scenario = {
  name: string;
  title: string;
  run(ctx: ScenarioContext): Promise<ScenarioOutcome>;
};

/** A figure whose product part does not exist yet: no value, the reason in the note. */
export class NotMeasured extends Error {
  constructor(reason: string) {
    super(reason);
    this.name = 'NotMeasured';
  }
}
