/**
 * Durations as policy files write them ("7d", "36h", "15m", "2s", "500ms") and
 * as the rest of the code uses them (integer milliseconds).
 */
import { z } from 'zod';

const UNIT_MS = {
  d: 86_400_000,
  h: 3_600_000,
  m: 60_000,
  s: 1_000,
  ms: 1,
} as const;

type Unit = keyof typeof UNIT_MS;

/** Largest accepted duration: 3650 days. Keeps `now + duration` a valid Date. */
export const MAX_DURATION_MS = 3650 * UNIT_MS.d;

export const DURATION_EXPECTED = 'expected a duration like "7d", "36h", "2s" or "500ms"';

const DURATION_PATTERN = /^(\d+)(ms|d|h|m|s)$/;

/**
 * Parses one amount and unit (`d`, `h`, `m`, `s`, `ms`) into milliseconds.
 * Returns `null` for anything else (combinations such as "1d12h", decimals,
 * negative amounts, or more than {@link MAX_DURATION_MS}).
 */
export function parseDuration(text: string): number | null {
  const [, amount, unit] = DURATION_PATTERN.exec(text.trim()) ?? [];
  if (amount === undefined || unit === undefined) return null;
  const ms = Number(amount) * UNIT_MS[unit as Unit];
  return Number.isSafeInteger(ms) && ms <= MAX_DURATION_MS ? ms : null;
}

/**
 * Formats milliseconds in the largest unit that divides them exactly, so
 * that `parseDuration(formatDuration(ms)) === ms` (604800000 → "7d",
 * 129600000 → "36h", 0 → "0s").
 */
export function formatDuration(ms: number): string {
  if (!Number.isSafeInteger(ms) || ms < 0) {
    throw new RangeError(`formatDuration needs a whole number of milliseconds >= 0, got ${ms}`);
  }
  if (ms === 0) return '0s';
  for (const unit of ['d', 'h', 'm', 's'] as const) {
    if (ms % UNIT_MS[unit] === 0) return `${ms / UNIT_MS[unit]}${unit}`;
  }
  return `${ms}ms`;
}

function durationSchema(minMs: number, expected: string) {
  return z.string({ error: expected }).transform((text, ctx) => {
    const ms = parseDuration(text);
    if (ms === null || ms < minMs) {
      ctx.addIssue({ code: 'custom', message: expected, input: text });
      return z.NEVER;
    }
    return ms;
  });
}

/** A policy-file duration string, parsed to integer milliseconds (0 allowed). */
export const DurationSchema = durationSchema(0, DURATION_EXPECTED);

/** Like {@link DurationSchema}, refusing "0s": for windows that must last. */
export const PositiveDurationSchema = durationSchema(1, `${DURATION_EXPECTED}, longer than 0`);
