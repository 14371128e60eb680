import { atLocalTime, daysBetween } from './local-time';
import { formatInZone } from './windows';

describe('atLocalTime', () => {
  it('places a wall-clock time with the offset of its date (Almaty +06:00 in 2023, +05:00 from March 2024)', () => {
    expect(formatInZone(atLocalTime('2023-06-10', 10 * 3600 + 15 * 60, 'Asia/Almaty'), 'Asia/Almaty')).toBe(
      '2023-06-10T10:15:00+06:00',
    );
    expect(formatInZone(atLocalTime('2024-06-10', 23 * 3600 + 59 * 60 + 59, 'Asia/Almaty'), 'Asia/Almaty')).toBe(
      '2024-06-10T23:59:59+05:00',
    );
    expect(formatInZone(atLocalTime('2024-03-01', 0, 'Asia/Almaty'), 'Asia/Almaty')).toBe('2024-03-01T00:00:00+05:00');
  });

  it('keeps a time that a clock change skips inside its day', () => {
    // Berlin skipped 02:00–03:00 on 2024-03-31.
    const instant = atLocalTime('2024-03-31', 2 * 3600 + 30 * 60, 'Europe/Berlin');
    expect(formatInZone(instant, 'Europe/Berlin').slice(0, 10)).toBe('2024-03-31');
    expect(formatInZone(atLocalTime('2024-03-31', 3 * 3600, 'Europe/Berlin'), 'Europe/Berlin')).toBe(
      '2024-03-31T03:00:00+02:00',
    );
  });

  it('places a time of a day with a clock change at that wall-clock time (Almaty’s 29 February 2024 lasted 25 hours)', () => {
    expect(formatInZone(atLocalTime('2024-02-29', 12 * 3600, 'Asia/Almaty'), 'Asia/Almaty')).toBe(
      '2024-02-29T12:00:00+06:00',
    );
    expect(
      formatInZone(atLocalTime('2024-02-29', 23 * 3600 + 30 * 60, 'Asia/Almaty'), 'Asia/Almaty').slice(0, 19),
    ).toBe('2024-02-29T23:30:00');
    expect(
      formatInZone(atLocalTime('2024-10-27', 2 * 3600 + 30 * 60, 'Europe/Berlin'), 'Europe/Berlin').slice(0, 19),
    ).toBe('2024-10-27T02:30:00');
  });
});

describe('daysBetween', () => {
  it('lists days inclusively across a leap day', () => {
    expect(daysBetween('2024-02-27', '2024-03-01')).toEqual(['2024-02-27', '2024-02-28', '2024-02-29', '2024-03-01']);
    expect(daysBetween('2024-01-02', '2024-01-01')).toEqual([]);
    expect(daysBetween('2023-01-01', '2023-12-31')).toHaveLength(365);
  });
});
