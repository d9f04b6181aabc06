/**
 * Exact shares (quorum, pass mark, co-sign threshold) as fractions of
 * integers, so that boundaries such as "2/3 of 100 needs 67" never depend on
 * floating-point rounding.
 */
import { z } from 'zod';

/** A fraction in lowest terms with `0 <= num <= den` and `den >= 1`. */
export type Ratio = { readonly num: number; readonly den: number };

/** Largest accepted denominator; 6 decimal places are more than any rule needs. */
export const MAX_RATIO_DENOMINATOR = 1_000_000;

export const RATIO_EXPECTED = 'expected a ratio between 0 and 1 such as 0.7 or "2/3"';

const DECIMAL_PATTERN = /^(\d+)(?:\.(\d*))?(?:e([+-]?\d+))?$/i;
const FRACTION_PATTERN = /^(\d+)\s*\/\s*(\d+)$/;
const PERCENT_PATTERN = /^(\d+(?:\.\d+)?)\s*%$/;

function gcd(a: bigint, b: bigint): bigint {
  let [x, y] = [a, b];
  while (y !== 0n) [x, y] = [y, x % y];
  return x;
}

function fraction(num: bigint, den: bigint): Ratio | null {
  if (den === 0n || num > den) return null;
  const divisor = num === 0n ? den : gcd(num, den);
  const [n, d] = [num / divisor, den / divisor];
  if (d > BigInt(MAX_RATIO_DENOMINATOR)) return null;
  return { num: Number(n), den: Number(d) };
}

// Reads the decimal digits themselves, so 0.3 becomes exactly 3 / 10.
function decimalFraction(text: string): { num: bigint; den: bigint } | null {
  const match = DECIMAL_PATTERN.exec(text);
  if (!match) return null;
  const [, whole = '', fractionDigits = '', exponentText = '0'] = match;
  const exponent = Number(exponentText) - fractionDigits.length;
  if (Math.abs(exponent) > 30) return null;
  const digits = BigInt(whole + fractionDigits);
  return exponent >= 0
    ? { num: digits * 10n ** BigInt(exponent), den: 1n }
    : { num: digits, den: 10n ** BigInt(-exponent) };
}

/**
 * Parses a share from a number in 0..1 (`0.3`), a decimal string (`"0.3"`),
 * a fraction string (`"2/3"`) or a percentage string (`"30%"`). Returns
 * `null` when the value is none of these, lies outside 0..1, or needs a
 * denominator above {@link MAX_RATIO_DENOMINATOR}.
 */
export function parseRatio(value: unknown): Ratio | null {
  if (typeof value === 'number') {
    const exact = Number.isFinite(value) ? decimalFraction(String(value)) : null;
    return exact && fraction(exact.num, exact.den);
  }
  if (typeof value !== 'string') return null;
  const text = value.trim();
  const asFraction = FRACTION_PATTERN.exec(text);
  if (asFraction) return fraction(BigInt(asFraction[1] ?? ''), BigInt(asFraction[2] ?? ''));
  const asPercent = PERCENT_PATTERN.exec(text);
  if (asPercent) {
    const percent = decimalFraction(asPercent[1] ?? '');
    return percent && fraction(percent.num, percent.den * 100n);
  }
  const exact = decimalFraction(text);
  return exact && fraction(exact.num, exact.den);
}

/**
 * The smallest integer `k` with `k / n >= ratio`, i.e. `k * den >= num * n`
 * (30% of 100 → 30, 30% of 7 → 3, 2/3 of 100 → 67). `n` is a count (>= 0).
 */
export function ceilShare(ratio: Ratio, n: number): number {
  const product = BigInt(ratio.num) * BigInt(n);
  const den = BigInt(ratio.den);
  return Number((product + den - 1n) / den);
}

/** Whether `count / total >= ratio`, exactly (`count * den >= num * total`). */
export function meets(count: number, ratio: Ratio, total: number): boolean {
  return BigInt(count) * BigInt(ratio.den) >= BigInt(ratio.num) * BigInt(total);
}

/**
 * The policy-file form of a share: a number when it has a finite decimal
 * expansion (3/10 → 0.3), else a fraction string (2/3 → "2/3").
 */
export function formatRatio(ratio: Ratio): number | string {
  let rest = ratio.den;
  while (rest % 2 === 0) rest /= 2;
  while (rest % 5 === 0) rest /= 5;
  if (rest !== 1) return `${ratio.num}/${ratio.den}`;
  // den = 2^a * 5^b divides 10^max(a, b); 6 digits cover MAX_RATIO_DENOMINATOR.
  let digits = 0;
  while (10 ** digits % ratio.den !== 0) digits += 1;
  if (digits === 0) return ratio.num;
  const scaled = (ratio.num * 10 ** digits) / ratio.den;
  const whole = Math.trunc(scaled / 10 ** digits);
  return Number(`${whole}.${String(scaled % 10 ** digits).padStart(digits, '0')}`);
}

/** A policy-file share (see {@link parseRatio}), parsed to a {@link Ratio}. */
export const RatioSchema = z
  .union([z.number(), z.string()], { error: RATIO_EXPECTED })
  .transform((value, ctx) => {
    const ratio = parseRatio(value);
    if (ratio === null) {
      ctx.addIssue({ code: 'custom', message: RATIO_EXPECTED, input: value });
      return z.NEVER;
    }
    return ratio;
  });
