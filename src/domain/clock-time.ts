/**
 * Local wall-clock times of day ("22:00") as minutes since local midnight.
 */

export const MINUTES_PER_DAY = 24 * 60;

const CLOCK_TIME_PATTERN = /^([01]\d|2[0-3]):([0-5]\d)$/;

/** Parses "HH:mm" (24-hour, two digits each) into minutes since midnight (0..1439), else `null`. */
export function parseClockTime(text: string): number | null {
  const match = CLOCK_TIME_PATTERN.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * 60 + Number(match[2]);
}

/** Formats minutes since midnight (0..1439) as "HH:mm". */
export function formatClockTime(minuteOfDay: number): string {
  if (!Number.isInteger(minuteOfDay) || minuteOfDay < 0 || minuteOfDay >= MINUTES_PER_DAY) {
    throw new RangeError(`formatClockTime needs a minute of the day 0..1439, got ${minuteOfDay}`);
  }
  const hours = Math.floor(minuteOfDay / 60);
  const minutes = minuteOfDay % 60;
  return `${String(hours).padStart(2, '0')}:${String(minutes).padStart(2, '0')}`;
}
