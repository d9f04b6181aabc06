/**
 * Watchfulness rules: patterns the supervision group (民主监督小组) should hear
 * about as they happen. Each rule is a function of counts the store read, the
 * community's `watch` policy and the time; a finding names its rule, what was
 * seen, the threshold it passed, and the period it is raised once in.
 * Every comparison is on integers: shares are exact fractions.
 */
import { z } from 'zod';
import { formatDuration, PositiveDurationSchema } from './duration.ts';
import { formatRatio, type Ratio, RatioSchema } from './ratio.ts';

export type WatchPolicy = {
  /** More than `ballots` relayed by one representative on one vote within `withinMs`. */
  readonly relayBurst: { readonly ballots: number; readonly withinMs: number };
  /** One representative relayed for more than `share` of their building's eligible households on one vote, and at least `min`. */
  readonly relayShare: { readonly share: Ratio; readonly min: number };
  /**
   * Joins in the `beforeMs` before a vote opens: at least `min`, and more than
   * `factor` times the community's usual number per `beforeMs` (over the `baselineMs` before).
   */
  readonly joinSurge: {
    readonly beforeMs: number;
    readonly factor: number;
    readonly min: number;
    readonly baselineMs: number;
  };
  /** One chat account tried join codes of more than `households` households within `withinMs`. */
  readonly joinCodes: { readonly households: number; readonly withinMs: number };
  /** Relayed ballots in a vote's last `windowMs` are more than `share` of its eligible voters. */
  readonly lastMinutesRelays: { readonly windowMs: number; readonly share: Ratio };
};

const COUNT_EXPECTED = 'expected a whole number, 1 or more';
const count = z.int({ error: COUNT_EXPECTED }).min(1, { error: COUNT_EXPECTED });
// Join attempts are kept 7 days (README retention table): a longer window would count nothing more.
const JOIN_ATTEMPT_RETENTION_MS = 7 * 86_400_000;

export const WatchFileSchema = z.strictObject(
  {
    relayBurst: z
      .strictObject(
        { ballots: count.prefault(10), within: PositiveDurationSchema.prefault('10m') },
        { error: 'expected an object like {"ballots": 10, "within": "10m"}' },
      )
      .prefault({}),
    relayShare: z
      .strictObject(
        { share: RatioSchema.prefault(0.5), min: count.prefault(5) },
        { error: 'expected an object like {"share": 0.5, "min": 5}' },
      )
      .prefault({}),
    joinSurge: z
      .strictObject(
        {
          before: PositiveDurationSchema.prefault('6h'),
          factor: count.prefault(3),
          min: count.prefault(5),
          baseline: PositiveDurationSchema.prefault('28d'),
        },
        {
          error:
            'expected an object like {"before": "6h", "factor": 3, "min": 5, "baseline": "28d"}',
        },
      )
      .prefault({}),
    joinCodes: z
      .strictObject(
        {
          households: count.prefault(2),
          within: PositiveDurationSchema.refine((ms) => ms <= JOIN_ATTEMPT_RETENTION_MS, {
            error: 'expected a duration of at most "7d" (join attempts are kept 7 days)',
          }).prefault('1d'),
        },
        { error: 'expected an object like {"households": 2, "within": "1d"}' },
      )
      .prefault({}),
    lastMinutesRelays: z
      .strictObject(
        { window: PositiveDurationSchema.prefault('10m'), share: RatioSchema.prefault(0.15) },
        { error: 'expected an object like {"window": "10m", "share": 0.15}' },
      )
      .prefault({}),
  },
  {
    error:
      'expected an object of watch rules (relayBurst, relayShare, joinSurge, joinCodes, lastMinutesRelays)',
  },
);

export const WATCH_KEYS = Object.keys(WatchFileSchema.shape);

export function toWatchPolicy(file: z.output<typeof WatchFileSchema>): WatchPolicy {
  return {
    relayBurst: { ballots: file.relayBurst.ballots, withinMs: file.relayBurst.within },
    relayShare: file.relayShare,
    joinSurge: {
      beforeMs: file.joinSurge.before,
      factor: file.joinSurge.factor,
      min: file.joinSurge.min,
      baselineMs: file.joinSurge.baseline,
    },
    joinCodes: { households: file.joinCodes.households, withinMs: file.joinCodes.within },
    lastMinutesRelays: {
      windowMs: file.lastMinutesRelays.window,
      share: file.lastMinutesRelays.share,
    },
  };
}

export function serializeWatch(w: WatchPolicy): z.input<typeof WatchFileSchema> {
  return {
    relayBurst: { ballots: w.relayBurst.ballots, within: formatDuration(w.relayBurst.withinMs) },
    relayShare: { share: formatRatio(w.relayShare.share), min: w.relayShare.min },
    joinSurge: {
      before: formatDuration(w.joinSurge.beforeMs),
      factor: w.joinSurge.factor,
      min: w.joinSurge.min,
      baseline: formatDuration(w.joinSurge.baselineMs),
    },
    joinCodes: { households: w.joinCodes.households, within: formatDuration(w.joinCodes.withinMs) },
    lastMinutesRelays: {
      window: formatDuration(w.lastMinutesRelays.windowMs),
      share: formatRatio(w.lastMinutesRelays.share),
    },
  };
}

export type WatchRule =
  | 'relay_burst'
  | 'relay_share'
  | 'join_surge'
  | 'join_codes'
  | 'last_minutes_relays';

export const WATCH_RULES: readonly WatchRule[] = [
  'relay_burst',
  'relay_share',
  'join_surge',
  'join_codes',
  'last_minutes_relays',
];

/** A pattern seen: `count` passed `threshold` (it fires when count > threshold). */
export type WatchFinding = {
  readonly rule: WatchRule;
  readonly count: number;
  readonly threshold: number;
  /** The vote's number for the vote rules; null for join codes. */
  readonly number: number | null;
  /** Internal ids only (`resident:<id>`, `proposal:<id>`, `account:<hash>`): what the audit entry names. */
  readonly subject: string;
  /** With rule and subject, what makes the alert once: the same key is never raised twice. */
  readonly key: string;
};

/** Largest whole count that is still not more than `ratio` of `total`. */
const floorShare = (ratio: Ratio, total: number) => Math.floor((ratio.num * total) / ratio.den);

const keyOf = (...parts: (string | number)[]) =>
  `watch-${parts.map((p) => String(p).replace(/[^A-Za-z0-9_-]/g, '_')).join('-')}`;

/** The windows the relay counts are read over, for a relay recorded at `now`. */
export function relayWindows(
  w: WatchPolicy,
  now: Date,
  votingClosesAt: Date | null,
): { burstSince: Date; lastMinutesSince: Date | null } {
  const lastStart = votingClosesAt
    ? new Date(votingClosesAt.getTime() - w.lastMinutesRelays.windowMs)
    : null;
  return {
    burstSince: new Date(now.getTime() - w.relayBurst.withinMs),
    lastMinutesSince: lastStart && now >= lastStart ? lastStart : null,
  };
}

export type RelayCounts = {
  proposalId: string;
  number: number;
  representativeId: string;
  /** Households this representative relayed for on this vote since `burstSince`. */
  burst: number;
  /** Households whose counting ballot on this vote is this representative's relay. */
  relayedForBuilding: number;
  /** Eligible households of the representative's building on this vote. */
  buildingHouseholds: number;
  /** Counting relayed ballots cast since `lastMinutesSince`; null outside the last minutes. */
  lastMinutes: number | null;
  eligible: number;
};

/** The relay rules (a burst, a large share of a building, a last-minutes jump) after a relay. */
export function relayFindings(w: WatchPolicy, c: RelayCounts): WatchFinding[] {
  const findings: WatchFinding[] = [];
  const rep = `resident:${c.representativeId}`;
  if (c.burst > w.relayBurst.ballots) {
    findings.push({
      rule: 'relay_burst',
      count: c.burst,
      threshold: w.relayBurst.ballots,
      number: c.number,
      subject: rep,
      // Once per representative and vote: a burst that goes on is the same pattern.
      key: keyOf('relay_burst', c.proposalId, c.representativeId),
    });
  }
  const shareLimit = Math.max(
    floorShare(w.relayShare.share, c.buildingHouseholds),
    w.relayShare.min - 1,
  );
  if (c.relayedForBuilding > shareLimit) {
    findings.push({
      rule: 'relay_share',
      count: c.relayedForBuilding,
      threshold: shareLimit,
      number: c.number,
      subject: rep,
      key: keyOf('relay_share', c.proposalId, c.representativeId),
    });
  }
  if (c.lastMinutes !== null) {
    const limit = floorShare(w.lastMinutesRelays.share, c.eligible);
    if (c.lastMinutes > limit) {
      findings.push({
        rule: 'last_minutes_relays',
        count: c.lastMinutes,
        threshold: limit,
        number: c.number,
        subject: `proposal:${c.proposalId}`,
        key: keyOf('last_minutes_relays', c.proposalId),
      });
    }
  }
  return findings;
}

/** The windows a join surge before a vote opening at `opensAt` is measured over. */
export function surgeWindows(w: WatchPolicy, opensAt: Date) {
  const recentFrom = new Date(opensAt.getTime() - w.joinSurge.beforeMs);
  return { recentFrom, baselineFrom: new Date(recentFrom.getTime() - w.joinSurge.baselineMs) };
}

/**
 * A wave of joins before a vote opens: `recent` joins since the window
 * before the opening began, against `baseline` joins in the baseline period
 * before that, scaled to the window's length.
 */
export function joinSurgeFinding(
  w: WatchPolicy,
  vote: { proposalId: string; number: number },
  recent: number,
  baseline: number,
): WatchFinding | null {
  const { beforeMs, factor, min, baselineMs } = w.joinSurge;
  // recent > factor × baseline × before / baselinePeriod, in integers: floor keeps it exact.
  const usual = Math.floor((factor * baseline * beforeMs) / baselineMs);
  const threshold = Math.max(usual, min - 1);
  if (recent <= threshold) return null;
  return {
    rule: 'join_surge',
    count: recent,
    threshold,
    number: vote.number,
    subject: `proposal:${vote.proposalId}`,
    key: keyOf('join_surge', vote.proposalId),
  };
}

/** One account tried codes of `households` different households within the window ending `now`. */
export function joinCodesFinding(
  w: WatchPolicy,
  account: { communityId: string; hash: string },
  households: number,
  now: Date,
): WatchFinding | null {
  if (households <= w.joinCodes.households) return null;
  // Once per account and window-long period.
  const period = Math.floor(now.getTime() / w.joinCodes.withinMs);
  const short = account.hash.slice(0, 24);
  return {
    rule: 'join_codes',
    count: households,
    threshold: w.joinCodes.households,
    number: null,
    subject: `account:${short}`,
    key: keyOf('join_codes', account.communityId, short, period),
  };
}
