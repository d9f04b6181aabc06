/**
 * When a push may go out: no non-urgent pushes during the community's quiet
 * hours (local time, possibly across midnight such as 22:00-08:00), and the
 * weekly digest at a fixed local weekday and time.
 */
import type { IsoWeekday, QuietHours } from './policy.ts';
import {
  addLocalDays,
  fromWallTime,
  isoWeekdayOf,
  toWallTime,
  type WallTime,
} from './zoned-time.ts';

function atMinute(wall: WallTime, minuteOfDay: number): WallTime {
  return {
    ...wall,
    hour: Math.floor(minuteOfDay / 60),
    minute: minuteOfDay % 60,
    second: 0,
    millisecond: 0,
  };
}

function inWindow(minuteOfDay: number, quiet: QuietHours): boolean {
  const { startMinute, endMinute } = quiet;
  return startMinute < endMinute
    ? minuteOfDay >= startMinute && minuteOfDay < endMinute
    : minuteOfDay >= startMinute || minuteOfDay < endMinute;
}

/** Whether `instant` falls in the quiet window (start inclusive, end exclusive) in `timeZone`. */
export function isQuietAt(instant: Date, quietHours: QuietHours | null, timeZone: string): boolean {
  if (quietHours === null) return false;
  const wall = toWallTime(instant, timeZone);
  return inWindow(wall.hour * 60 + wall.minute, quietHours);
}

/**
 * The instant a non-urgent push due at `instant` may be delivered: `instant`
 * itself outside quiet hours, else the end of the quiet window it falls in
 * (for 22:00-08:00, a push at 23:30 goes out at 08:00 the next local day).
 */
export function deliveryTime(instant: Date, quietHours: QuietHours | null, timeZone: string): Date {
  if (quietHours === null) return instant;
  const wall = toWallTime(instant, timeZone);
  const minuteOfDay = wall.hour * 60 + wall.minute;
  if (!inWindow(minuteOfDay, quietHours)) return instant;
  const crossesMidnight = quietHours.startMinute > quietHours.endMinute;
  const endDay =
    crossesMidnight && minuteOfDay >= quietHours.startMinute ? addLocalDays(wall, 1) : wall;
  return fromWallTime(atMinute(endDay, quietHours.endMinute), timeZone);
}

/**
 * The first instant strictly after `after` at which the wall clock of
 * `timeZone` shows `weekday` (ISO, 1 = Monday) at `minuteOfDay` (0..1439),
 * e.g. the next Monday 09:00 for the weekly digest.
 */
export function nextLocalWeekdayTime(
  after: Date,
  weekday: IsoWeekday,
  minuteOfDay: number,
  timeZone: string,
): Date {
  const today = toWallTime(after, timeZone);
  for (let days = 0; days <= 7; days += 1) {
    const day = addLocalDays(today, days);
    if (isoWeekdayOf(day) !== weekday) continue;
    const candidate = fromWallTime(atMinute(day, minuteOfDay), timeZone);
    if (candidate > after) return candidate;
  }
  throw new Error(`no ${weekday} weekday within 8 days of ${after.toISOString()} in ${timeZone}`);
}
