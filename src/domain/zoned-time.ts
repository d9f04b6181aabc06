/**
 * Wall-clock time in an IANA time zone, with Intl only (no library): the
 * instant → local fields direction from `Intl.DateTimeFormat`, the reverse by
 * offset computation.
 */
import type { IsoWeekday } from './policy.ts';

/** Local calendar date and time of day; `month` is 1..12. */
export type WallTime = {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
  readonly millisecond: number;
};

const DAY_MS = 86_400_000;

const formatters = new Map<string, Intl.DateTimeFormat>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** Whether `timeZone` is an IANA zone this runtime knows ("Asia/Shanghai"). */
export function isValidTimeZone(timeZone: string): boolean {
  try {
    formatterFor(timeZone);
    return true;
  } catch {
    return false;
  }
}

/** The local wall time of `instant` in `timeZone`. Throws a RangeError for an unknown zone. */
export function toWallTime(instant: Date, timeZone: string): WallTime {
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return {
    year: fields.year ?? Number.NaN,
    month: fields.month ?? Number.NaN,
    day: fields.day ?? Number.NaN,
    hour: fields.hour ?? Number.NaN,
    minute: fields.minute ?? Number.NaN,
    second: fields.second ?? Number.NaN,
    millisecond: ((instant.getTime() % 1000) + 1000) % 1000,
  };
}

function wallAsUtcMs(wall: WallTime): number {
  const date = new Date(0);
  // setUTCFullYear keeps years 0..99 literal, which Date.UTC would shift to 19xx.
  date.setUTCFullYear(wall.year, wall.month - 1, wall.day);
  date.setUTCHours(wall.hour, wall.minute, wall.second, wall.millisecond);
  return date.getTime();
}

/** The zone's UTC offset at `instantMs`, in milliseconds (+8h for Asia/Shanghai). */
export function offsetMsAt(instantMs: number, timeZone: string): number {
  return wallAsUtcMs(toWallTime(new Date(instantMs), timeZone)) - instantMs;
}

/**
 * The instant at which the wall clock of `timeZone` shows `wall`. A time
 * skipped by a daylight-saving jump resolves to the same distance after the
 * jump (02:30 → 03:30); a repeated time resolves to its first occurrence.
 */
export function fromWallTime(wall: WallTime, timeZone: string): Date {
  const asUtc = wallAsUtcMs(wall);
  // Any transition near the answer lies within a day of asUtc (offsets are under 15 h).
  const before = offsetMsAt(asUtc - DAY_MS, timeZone);
  const after = offsetMsAt(asUtc + DAY_MS, timeZone);
  const fits = [before, after]
    .map((offset) => asUtc - offset)
    .filter((candidate) => offsetMsAt(candidate, timeZone) === asUtc - candidate);
  if (fits.length > 0) return new Date(Math.min(...fits));
  return new Date(asUtc - Math.min(before, after));
}

/** The wall date `days` calendar days after `wall`'s date, same time of day. */
export function addLocalDays(wall: WallTime, days: number): WallTime {
  const date = new Date(wallAsUtcMs({ ...wall, hour: 12, minute: 0, second: 0, millisecond: 0 }));
  date.setUTCDate(date.getUTCDate() + days);
  return {
    ...wall,
    year: date.getUTCFullYear(),
    month: date.getUTCMonth() + 1,
    day: date.getUTCDate(),
  };
}

/** ISO weekday (1 = Monday ... 7 = Sunday) of a wall date. */
export function isoWeekdayOf(wall: WallTime): IsoWeekday {
  const day = new Date(wallAsUtcMs(wall)).getUTCDay();
  return (day === 0 ? 7 : day) as IsoWeekday;
}

/** Whether year-month-day names a real calendar date. */
export function isCalendarDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) return false;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  return date.getUTCMonth() === month - 1 && date.getUTCDate() === day;
}
