/**
 * A community's participation policy: every number of the source plan is a
 * setting, defaulting to design.md section 2. Policy files (JSON) write
 * durations as strings and ratios as numbers or "n/d"; the resolved
 * {@link Policy} holds milliseconds and exact fractions.
 */
import { z } from 'zod';
import { CATEGORY_SLUG_PATTERN, MANDATORY_CATEGORIES, OTHER_CATEGORY } from './categories.ts';
import { formatClockTime, parseClockTime } from './clock-time.ts';
import { DurationSchema, formatDuration, PositiveDurationSchema } from './duration.ts';
import { formatRatio, type Ratio, RatioSchema } from './ratio.ts';
import {
  serializeWatch,
  toWatchPolicy,
  WATCH_KEYS,
  WatchFileSchema,
  type WatchPolicy,
} from './watch.ts';

export {
  type CategoryInfo,
  type CategoryLocale,
  categoryLabel,
  isAllowedCategory,
  MANDATORY_CATEGORIES,
  OTHER_CATEGORY,
} from './categories.ts';

/** Who counts as one eligible voter (and one co-signer). */
export type VoterUnit = 'household' | 'resident';

/** A nightly window in local minutes since midnight; `start > end` crosses midnight. */
export type QuietHours = { readonly startMinute: number; readonly endMinute: number };

/** ISO weekday: 1 = Monday ... 7 = Sunday. */
export type IsoWeekday = 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** Points credited per action, whole numbers >= 0. */
export type PointsPolicy = {
  readonly propose: number;
  readonly cosign: number;
  readonly vote: number;
  readonly progressCheck: number;
};

/** When the weekly digest goes out, in the community's local time. */
export type DigestPolicy = { readonly weekday: IsoWeekday; readonly minuteOfDay: number };

/** A resolved policy: durations in milliseconds, shares as exact fractions. */
export type Policy = {
  /** Share of eligible voters whose co-signs put a proposal on the agenda. */
  readonly cosignRatio: Ratio;
  readonly cosignWindowMs: number;
  /** Minimum time between reaching the agenda and the vote opening. */
  readonly noticePeriodMs: number;
  readonly votingWindowMs: number;
  /** Share of eligible voters who must cast a ballot. */
  readonly quorumRatio: Ratio;
  /** Share of ballots cast (for + against + abstain) that must be `for`. */
  readonly passRatio: Ratio;
  readonly voterUnit: VoterUnit;
  /** Reminder offsets before a resolution's due time, largest first, no duplicates. */
  readonly remindersBeforeDueMs: readonly number[];
  /** Offsets after the due time at which escalation levels 1, 2 and 3 start. */
  readonly escalationAfterDueMs: readonly [number, number, number];
  /** No non-urgent pushes inside this local window; `null` for none. */
  readonly quietHours: QuietHours | null;
  readonly surveyWindowMs: number;
  /** Share of satisfied survey answers under which a resolution is flagged. */
  readonly satisfactionBar: Ratio;
  /** Allowed category slugs; always ends with `other`. */
  readonly categories: readonly string[];
  readonly points: PointsPolicy;
  readonly digest: DigestPolicy;
  /** Who may open the public board: anyone by slug, only holders of the link key, or nobody. */
  readonly board: BoardAccess;
  /** Count words of ordinary messages in the chats the committee opted in (`/topics on`). */
  readonly hotTopics: 'off' | 'on';
  /** Thresholds of the watchfulness rules (src/domain/watch.ts). */
  readonly watch: WatchPolicy;
};

/** `public`: the key may be the slug; `link`: only the stored unguessable key; `off`: 404. */
export type BoardAccess = 'public' | 'link' | 'off';

const QUIET_HOURS_EXPECTED = 'expected a local time window like "22:00-08:00", or null for none';

const QuietHoursSchema = z.string({ error: QUIET_HOURS_EXPECTED }).transform((text, ctx) => {
  const [start, end, ...rest] = text.split('-');
  const startMinute = start === undefined ? null : parseClockTime(start);
  const endMinute = end === undefined ? null : parseClockTime(end);
  if (startMinute === null || endMinute === null || rest.length > 0 || startMinute === endMinute) {
    ctx.addIssue({ code: 'custom', message: QUIET_HOURS_EXPECTED, input: text });
    return z.NEVER;
  }
  return { startMinute, endMinute } satisfies QuietHours;
});

const CLOCK_TIME_EXPECTED = 'expected a local time like "09:00"';

const ClockTimeSchema = z.string({ error: CLOCK_TIME_EXPECTED }).transform((text, ctx) => {
  const minute = parseClockTime(text);
  if (minute === null) {
    ctx.addIssue({ code: 'custom', message: CLOCK_TIME_EXPECTED, input: text });
    return z.NEVER;
  }
  return minute;
});

const REMINDERS_EXPECTED =
  'expected a list of at most 10 durations before the due time, like ["3d", "1d"]';
const ESCALATION_EXPECTED =
  'expected 3 durations after the due time for levels 1, 2 and 3, in order, like ["0s", "3d", "7d"]';
const CATEGORIES_EXPECTED = 'expected a list of category slugs like ["parking", "pets"]';
const CATEGORY_EXPECTED =
  'expected a category slug: lower-case letters, digits and "_", starting with a letter';
const POINTS_EXPECTED = 'expected a whole number of points, 0 or more';
const WEEKDAY_EXPECTED = 'expected a weekday number from 1 (Monday) to 7 (Sunday)';

const PointsAmountSchema = z.int({ error: POINTS_EXPECTED }).min(0, { error: POINTS_EXPECTED });

const PointsSchema = z.strictObject(
  {
    propose: PointsAmountSchema.prefault(5),
    cosign: PointsAmountSchema.prefault(1),
    vote: PointsAmountSchema.prefault(2),
    progressCheck: PointsAmountSchema.prefault(1),
  },
  { error: 'expected an object like {"propose": 5, "cosign": 1, "vote": 2, "progressCheck": 1}' },
);

const DigestSchema = z.strictObject(
  {
    weekday: z
      .int({ error: WEEKDAY_EXPECTED })
      .min(1, { error: WEEKDAY_EXPECTED })
      .max(7, { error: WEEKDAY_EXPECTED })
      .prefault(1),
    time: ClockTimeSchema.prefault('09:00'),
  },
  { error: 'expected an object like {"weekday": 1, "time": "09:00"}' },
);

/** The policy file object itself (before resolving), for tools that need its shape. */
export const PolicyFileSchema = z.strictObject(
  {
    cosignRatio: RatioSchema.prefault(0.3),
    cosignWindow: PositiveDurationSchema.prefault('14d'),
    noticePeriod: DurationSchema.prefault('7d'),
    votingWindow: PositiveDurationSchema.prefault('3d'),
    quorumRatio: RatioSchema.prefault(0.7),
    passRatio: RatioSchema.prefault('2/3'),
    voterUnit: z
      .enum(['household', 'resident'], { error: 'expected "household" or "resident"' })
      .prefault('household'),
    reminders: z
      .array(DurationSchema, { error: REMINDERS_EXPECTED })
      .max(10, { error: REMINDERS_EXPECTED })
      .prefault(['3d', '1d']),
    escalation: z
      .array(DurationSchema, { error: ESCALATION_EXPECTED })
      .length(3, { error: ESCALATION_EXPECTED })
      .refine((offsets) => offsets.every((ms, i) => i === 0 || ms >= (offsets[i - 1] ?? 0)), {
        error: ESCALATION_EXPECTED,
      })
      .prefault(['0s', '3d', '7d']),
    quietHours: QuietHoursSchema.nullable().prefault('22:00-08:00'),
    surveyWindow: PositiveDurationSchema.prefault('7d'),
    satisfactionBar: RatioSchema.prefault(0.6),
    categories: z
      .array(
        z.string({ error: CATEGORY_EXPECTED }).regex(CATEGORY_SLUG_PATTERN, CATEGORY_EXPECTED),
        {
          error: CATEGORIES_EXPECTED,
        },
      )
      .prefault(MANDATORY_CATEGORIES.map((c) => c.slug)),
    points: PointsSchema.prefault({}),
    digest: DigestSchema.prefault({}),
    board: z
      .enum(['public', 'link', 'off'], { error: 'expected "public", "link" or "off"' })
      .prefault('link'),
    hotTopics: z.enum(['off', 'on'], { error: 'expected "off" or "on"' }).prefault('off'),
    watch: WatchFileSchema.prefault({}),
  },
  { error: 'expected a JSON object of policy settings' },
);

/** The policy file as written (JSON): every key optional, unknown keys refused. */
export type PolicyFile = z.input<typeof PolicyFileSchema>;

function toPolicy(file: z.output<typeof PolicyFileSchema>): Policy {
  const [level1 = 0, level2 = 0, level3 = 0] = file.escalation;
  const categories = [...new Set(file.categories)].filter((slug) => slug !== OTHER_CATEGORY.slug);
  return {
    cosignRatio: file.cosignRatio,
    cosignWindowMs: file.cosignWindow,
    noticePeriodMs: file.noticePeriod,
    votingWindowMs: file.votingWindow,
    quorumRatio: file.quorumRatio,
    passRatio: file.passRatio,
    voterUnit: file.voterUnit,
    remindersBeforeDueMs: [...new Set(file.reminders)].sort((a, b) => b - a),
    escalationAfterDueMs: [level1, level2, level3],
    quietHours: file.quietHours,
    surveyWindowMs: file.surveyWindow,
    satisfactionBar: file.satisfactionBar,
    categories: [...categories, OTHER_CATEGORY.slug],
    points: file.points,
    digest: { weekday: file.digest.weekday as IsoWeekday, minuteOfDay: file.digest.time },
    board: file.board,
    hotTopics: file.hotTopics,
    watch: toWatchPolicy(file.watch),
  };
}

/**
 * Parses a policy file into a resolved {@link Policy}: missing keys take the
 * defaults, unknown keys are refused.
 */
export const PolicySchema = PolicyFileSchema.transform(toPolicy);

/** The default policy of design.md section 2. */
export const DEFAULT_POLICY: Policy = PolicySchema.parse({});

export type PolicyResolution =
  | { readonly ok: true; readonly policy: Policy }
  | { readonly ok: false; readonly errors: readonly string[] };

const KNOWN_KEYS: Readonly<Record<string, readonly string[]>> = {
  '': Object.keys(PolicyFileSchema.shape),
  points: Object.keys(PointsSchema.shape),
  digest: Object.keys(DigestSchema.shape),
  watch: WATCH_KEYS,
};

function formatPath(path: readonly PropertyKey[]): string {
  return path
    .map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i === 0 ? '' : '.'}${String(key)}`))
    .join('');
}

function describeIssue(issue: z.core.$ZodIssue): string[] {
  const at = formatPath(issue.path);
  if (issue.code === 'unrecognized_keys') {
    const known = KNOWN_KEYS[at];
    const hint = known ? `; known settings are ${known.join(', ')}` : '';
    return issue.keys.map((key) => `${formatPath([...issue.path, key])}: unknown setting${hint}`);
  }
  return [`${at === '' ? 'policy' : at}: ${issue.message}`];
}

/**
 * Resolves a community's policy file (parsed JSON; `undefined` or `null`
 * means all defaults). Each error names the key path and what is expected,
 * e.g. `quorumRatio: expected a ratio between 0 and 1 such as 0.7 or "2/3"`.
 */
export function resolvePolicy(input: unknown): PolicyResolution {
  const result = PolicySchema.safeParse(input ?? {});
  if (result.success) return { ok: true, policy: result.data };
  return { ok: false, errors: result.error.issues.flatMap(describeIssue) };
}

/**
 * The policy file form of a resolved policy (every key present), for
 * display and storage; `resolvePolicy(serializePolicy(p))` gives back `p`.
 */
export function serializePolicy(policy: Policy): Required<PolicyFile> {
  const quiet = policy.quietHours;
  return {
    cosignRatio: formatRatio(policy.cosignRatio),
    cosignWindow: formatDuration(policy.cosignWindowMs),
    noticePeriod: formatDuration(policy.noticePeriodMs),
    votingWindow: formatDuration(policy.votingWindowMs),
    quorumRatio: formatRatio(policy.quorumRatio),
    passRatio: formatRatio(policy.passRatio),
    voterUnit: policy.voterUnit,
    reminders: policy.remindersBeforeDueMs.map(formatDuration),
    escalation: policy.escalationAfterDueMs.map(formatDuration),
    quietHours: quiet
      ? `${formatClockTime(quiet.startMinute)}-${formatClockTime(quiet.endMinute)}`
      : null,
    surveyWindow: formatDuration(policy.surveyWindowMs),
    satisfactionBar: formatRatio(policy.satisfactionBar),
    categories: policy.categories.filter((slug) => slug !== OTHER_CATEGORY.slug),
    points: { ...policy.points },
    digest: { weekday: policy.digest.weekday, time: formatClockTime(policy.digest.minuteOfDay) },
    board: policy.board,
    hotTopics: policy.hotTopics,
    watch: serializeWatch(policy.watch),
  };
}
