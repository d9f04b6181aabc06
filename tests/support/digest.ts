/**
 * Policies that keep a test's outcome off the weekly digest's schedule, so a
 * test passes at any hour of any day.
 */
import { formatClockTime } from '../../src/domain/clock-time.ts';
import { isoWeekdayOf, toWallTime } from '../../src/domain/zoned-time.ts';

/**
 * A digest that fell due an hour before `now` in `timeZone`: well inside the
 * grace for a missed digest, so only the rule "nothing before the community
 * existed" keeps a community created now from getting it at once; the next
 * one is almost a week away.
 */
export function digestJustPassed(now: Date, timeZone = 'Asia/Shanghai') {
  const wall = toWallTime(new Date(now.getTime() - 3_600_000), timeZone);
  return { weekday: isoWeekdayOf(wall), time: formatClockTime(wall.hour * 60 + wall.minute) };
}
