import { describe, expect, it } from 'vitest';
import { DurationSchema, formatDuration, parseDuration } from '../../../src/domain/duration.ts';

describe('parseDuration', () => {
  it('reads every unit into milliseconds', () => {
    expect(parseDuration('7d')).toBe(604_800_000);
    expect(parseDuration('36h')).toBe(129_600_000);
    expect(parseDuration('15m')).toBe(900_000);
    expect(parseDuration('2s')).toBe(2_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('0s')).toBe(0);
  });

  it('refuses combinations, decimals, negatives, bare numbers and huge values', () => {
    for (const text of ['1d12h', '1.5d', '-3d', '3', 'd', '3 days', '', '3651d']) {
      expect(parseDuration(text)).toBeNull();
    }
  });
});

describe('formatDuration', () => {
  it('uses the largest exact unit', () => {
    expect(formatDuration(604_800_000)).toBe('7d');
    expect(formatDuration(129_600_000)).toBe('36h');
    expect(formatDuration(90_000)).toBe('90s');
    expect(formatDuration(1_500)).toBe('1500ms');
    expect(formatDuration(0)).toBe('0s');
  });

  it('round-trips through parseDuration', () => {
    for (const ms of [1, 999, 1_000, 61_000, 3_600_000, 86_400_000 * 14]) {
      expect(parseDuration(formatDuration(ms))).toBe(ms);
    }
  });
});

describe('DurationSchema', () => {
  it('transforms a string to milliseconds', () => {
    expect(DurationSchema.parse('3d')).toBe(259_200_000);
  });

  it('explains what it expects', () => {
    const result = DurationSchema.safeParse('three days');
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(
      'expected a duration like "7d", "36h", "2s" or "500ms"',
    );
    expect(DurationSchema.safeParse(7).error?.issues[0]?.message).toContain('expected a duration');
  });
});
