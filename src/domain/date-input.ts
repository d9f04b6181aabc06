/**
 * Dates and times as people type them in commands: `YYYY-MM-DD`,
 * `YYYY-MM-DD HH:mm` or an ISO date-time. Without an offset, a time is read
 * on the community's wall clock.
 */
import { fromWallTime, isCalendarDate } from './zoned-time.ts';

export type DateInput =
  /** A bare date: the caller decides which moment of that day it means. */
  | { readonly kind: 'date'; readonly year: number; readonly month: number; readonly day: number }
  | { readonly kind: 'instant'; readonly at: Date }
  | { readonly kind: 'invalid_format' }
  /** Well formed but not a real date or time, such as 2026-02-30 or 24:10. */
  | { readonly kind: 'invalid_date' };

const DATE_PATTERN = /^(\d{4})-(\d{2})-(\d{2})$/;
const DATE_TIME_PATTERN =
  /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?(Z|[+-]\d{2}:?\d{2})?$/i;

function offsetMs(text: string): number {
  if (text.toUpperCase() === 'Z') return 0;
  const sign = text.startsWith('-') ? -1 : 1;
  const digits = text.slice(1).replace(':', '');
  return sign * (Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2))) * 60_000;
}

/**
 * Reads `YYYY-MM-DD` as a date, and `YYYY-MM-DD[T ]HH:mm[:ss[.sss]][Z|±HH:MM]`
 * as an instant (local to `timeZone` when it has no offset).
 */
export function parseDateInput(text: string, timeZone: string): DateInput {
  const trimmed = text.trim();
  const dateOnly = DATE_PATTERN.exec(trimmed);
  if (dateOnly) {
    const [year, month, day] = dateOnly.slice(1, 4).map(Number) as [number, number, number];
    return isCalendarDate(year, month, day)
      ? { kind: 'date', year, month, day }
      : { kind: 'invalid_date' };
  }
  const dateTime = DATE_TIME_PATTERN.exec(trimmed);
  if (!dateTime) return { kind: 'invalid_format' };
  const [year, month, day, hour, minute, second] = dateTime
    .slice(1, 7)
    .map((v) => Number(v ?? 0)) as [number, number, number, number, number, number];
  const millisecond = Number((dateTime[7] ?? '').padEnd(3, '0'));
  const zone = dateTime[8];
  if (!isCalendarDate(year, month, day) || hour > 23 || minute > 59 || second > 59) {
    return { kind: 'invalid_date' };
  }
  if (zone !== undefined) {
    const offset = offsetMs(zone);
    if (Math.abs(offset) > 14 * 3_600_000) return { kind: 'invalid_date' };
    const date = new Date(0);
    date.setUTCFullYear(year, month - 1, day);
    date.setUTCHours(hour, minute, second, millisecond);
    return { kind: 'instant', at: new Date(date.getTime() - offset) };
  }
  const at = fromWallTime({ year, month, day, hour, minute, second, millisecond }, timeZone);
  return { kind: 'instant', at };
}

/** The last millisecond (23:59:59.999) of a local date in `timeZone`. */
export function endOfLocalDay(
  date: { readonly year: number; readonly month: number; readonly day: number },
  timeZone: string,
): Date {
  const wall = { ...date, hour: 23, minute: 59, second: 59, millisecond: 999 };
  return fromWallTime(wall, timeZone);
}
