import { describe, expect, it } from 'vitest';
import { parseDateInput } from '../../../src/domain/date-input.ts';
import {
  fromWallTime,
  isoWeekdayOf,
  isValidTimeZone,
  offsetMsAt,
  toWallTime,
} from '../../../src/domain/zoned-time.ts';

const HOUR = 3_600_000;
const wall = (year: number, month: number, day: number, hour: number, minute: number) => ({
  year,
  month,
  day,
  hour,
  minute,
  second: 0,
  millisecond: 0,
});

describe('zoned time', () => {
  it('reads wall time and offsets', () => {
    expect(toWallTime(new Date('2026-12-01T15:59:59.999Z'), 'Asia/Shanghai')).toEqual({
      year: 2026,
      month: 12,
      day: 1,
      hour: 23,
      minute: 59,
      second: 59,
      millisecond: 999,
    });
    expect(offsetMsAt(Date.parse('2026-07-01T00:00:00Z'), 'Asia/Shanghai')).toBe(8 * HOUR);
    expect(offsetMsAt(Date.parse('2026-07-01T00:00:00Z'), 'America/New_York')).toBe(-4 * HOUR);
    expect(offsetMsAt(Date.parse('2026-01-01T00:00:00Z'), 'Asia/Kolkata')).toBe(5.5 * HOUR);
  });

  it('round-trips wall times', () => {
    const instant = new Date('2026-03-14T01:23:45.678Z');
    for (const zone of ['Asia/Shanghai', 'America/New_York', 'Pacific/Chatham', 'UTC']) {
      expect(fromWallTime(toWallTime(instant, zone), zone)).toEqual(instant);
    }
  });

  it('moves a time skipped by daylight saving forward, and takes the first of a repeated time', () => {
    expect(fromWallTime(wall(2026, 3, 8, 2, 30), 'America/New_York')).toEqual(
      new Date('2026-03-08T07:30:00.000Z'),
    );
    expect(fromWallTime(wall(2026, 11, 1, 1, 30), 'America/New_York')).toEqual(
      new Date('2026-11-01T05:30:00.000Z'),
    );
  });

  it('knows weekdays and valid zones', () => {
    expect(isoWeekdayOf(wall(2026, 3, 2, 9, 0))).toBe(1);
    expect(isoWeekdayOf(wall(2026, 3, 1, 9, 0))).toBe(7);
    expect(isValidTimeZone('Asia/Shanghai')).toBe(true);
    expect(isValidTimeZone('Mars/Olympus')).toBe(false);
  });
});

describe('parseDateInput', () => {
  it('reads dates, local times and offsets', () => {
    expect(parseDateInput('2026-12-01', 'Asia/Shanghai')).toEqual({
      kind: 'date',
      year: 2026,
      month: 12,
      day: 1,
    });
    expect(parseDateInput('2026-12-01 09:30', 'Asia/Shanghai')).toEqual({
      kind: 'instant',
      at: new Date('2026-12-01T01:30:00.000Z'),
    });
    expect(parseDateInput('2026-12-01T09:30:15.5-05:00', 'Asia/Shanghai')).toEqual({
      kind: 'instant',
      at: new Date('2026-12-01T14:30:15.500Z'),
    });
  });

  it('refuses what is not a date or not a real one', () => {
    expect(parseDateInput('12/01/2026', 'Asia/Shanghai').kind).toBe('invalid_format');
    expect(parseDateInput('2025-02-29', 'Asia/Shanghai').kind).toBe('invalid_date');
    expect(parseDateInput('2028-02-29', 'Asia/Shanghai').kind).toBe('date');
    expect(parseDateInput('2026-12-01T10:60', 'Asia/Shanghai').kind).toBe('invalid_date');
  });
});
