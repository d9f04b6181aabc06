import { describe, expect, it } from 'vitest';
import { deliveryTime, isQuietAt, nextLocalWeekdayTime } from '../../../src/domain/quiet-hours.ts';

const night = { startMinute: 22 * 60, endMinute: 8 * 60 };
const lunch = { startMinute: 12 * 60, endMinute: 14 * 60 };
const SH = 'Asia/Shanghai';
// Shanghai is UTC+8 all year: local 23:30 on the 1st is 15:30Z on the 1st.
const local = (iso: string) => new Date(`${iso}+08:00`);

describe('deliveryTime', () => {
  it('delivers at once outside quiet hours', () => {
    const noon = local('2026-06-01T12:00:00');
    expect(deliveryTime(noon, night, SH)).toEqual(noon);
    expect(deliveryTime(local('2026-06-01T21:59:59'), night, SH)).toEqual(
      local('2026-06-01T21:59:59'),
    );
    expect(deliveryTime(local('2026-06-01T08:00:00'), night, SH)).toEqual(
      local('2026-06-01T08:00:00'),
    );
    expect(deliveryTime(local('2026-06-01T23:00:00'), null, SH)).toEqual(
      local('2026-06-01T23:00:00'),
    );
  });

  it('holds a late-evening push until the end of the window the next morning', () => {
    expect(deliveryTime(local('2026-06-01T22:00:00'), night, SH)).toEqual(
      local('2026-06-02T08:00:00'),
    );
    expect(deliveryTime(local('2026-06-01T23:30:00'), night, SH)).toEqual(
      local('2026-06-02T08:00:00'),
    );
  });

  it('holds an early-morning push until the same morning', () => {
    expect(deliveryTime(local('2026-06-02T00:10:00'), night, SH)).toEqual(
      local('2026-06-02T08:00:00'),
    );
    expect(deliveryTime(local('2026-06-02T07:59:59'), night, SH)).toEqual(
      local('2026-06-02T08:00:00'),
    );
  });

  it('handles the last day of a month and a window within one day', () => {
    expect(deliveryTime(local('2026-12-31T23:00:00'), night, SH)).toEqual(
      local('2027-01-01T08:00:00'),
    );
    expect(deliveryTime(local('2026-06-01T13:00:00'), lunch, SH)).toEqual(
      local('2026-06-01T14:00:00'),
    );
    expect(deliveryTime(local('2026-06-01T23:00:00'), lunch, SH)).toEqual(
      local('2026-06-01T23:00:00'),
    );
  });

  it('uses the wall clock across a daylight-saving change', () => {
    // New York springs forward on 2026-03-08: 08:00 that morning is EDT (UTC-4).
    expect(deliveryTime(new Date('2026-03-08T04:00:00Z'), night, 'America/New_York')).toEqual(
      new Date('2026-03-08T12:00:00Z'),
    );
  });
});

describe('isQuietAt', () => {
  it('includes the start and excludes the end', () => {
    expect(isQuietAt(local('2026-06-01T22:00:00'), night, SH)).toBe(true);
    expect(isQuietAt(local('2026-06-01T08:00:00'), night, SH)).toBe(false);
    expect(isQuietAt(local('2026-06-01T03:00:00'), null, SH)).toBe(false);
  });
});

describe('nextLocalWeekdayTime', () => {
  // 2026-03-02 is a Monday.
  it('finds the next Monday 09:00 local', () => {
    expect(nextLocalWeekdayTime(local('2026-03-01T12:00:00'), 1, 540, SH)).toEqual(
      local('2026-03-02T09:00:00'),
    );
    expect(nextLocalWeekdayTime(local('2026-03-02T08:59:59'), 1, 540, SH)).toEqual(
      local('2026-03-02T09:00:00'),
    );
  });

  it('is strictly after the given instant', () => {
    expect(nextLocalWeekdayTime(local('2026-03-02T09:00:00'), 1, 540, SH)).toEqual(
      local('2026-03-09T09:00:00'),
    );
  });

  it('reads the weekday on the local calendar, not UTC', () => {
    // Sunday 20:00 UTC is already Monday 04:00 in Shanghai.
    expect(nextLocalWeekdayTime(new Date('2026-03-01T20:00:00Z'), 1, 540, SH)).toEqual(
      local('2026-03-02T09:00:00'),
    );
  });
});
