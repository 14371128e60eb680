import { formatInZone, instantOfWallTime } from '@caravan/domain';
import { isTimeZone, toOccurredAt } from './local-time';

const ALMATY = 'Asia/Almaty';

describe('toOccurredAt', () => {
  it.each([
    ['2024-02-15 10:00', '2024-02-15T10:00:00+06:00'],
    ['2024-02-15T10:00', '2024-02-15T10:00:00+06:00'],
    ['2024-02-15 10:00:30', '2024-02-15T10:00:30+06:00'],
    ['2024-02-29 22:59:59', '2024-02-29T22:59:59+06:00'],
    ['2024-03-01 00:00', '2024-03-01T00:00:00+05:00'],
    ['2024-03-01 00:30', '2024-03-01T00:30:00+05:00'],
    ['2024-06-15 10:00', '2024-06-15T10:00:00+05:00'],
    ['2023-12-31 23:59:59', '2023-12-31T23:59:59+06:00'],
  ])('writes local %s in Asia/Almaty as %s', (cell, expected) => {
    expect(toOccurredAt(cell, ALMATY)).toBe(expected);
  });

  it('takes the earlier instant for 23:00–23:59 of 29 February 2024, which Almaty lived twice', () => {
    expect(toOccurredAt('2024-02-29 23:30', ALMATY)).toBe('2024-02-29T23:30:00+06:00');
    expect(Date.parse(toOccurredAt('2024-02-29 23:30', ALMATY))).toBe(Date.parse('2024-02-29T17:30:00Z'));
  });

  it('moves a time in a gap forward by the gap (New York, 10 March 2024 02:30 does not exist)', () => {
    expect(toOccurredAt('2024-03-10 02:30', 'America/New_York')).toBe('2024-03-10T03:30:00-04:00');
    expect(toOccurredAt('2024-11-03 01:30', 'America/New_York')).toBe('2024-11-03T01:30:00-04:00');
  });

  it.each([
    '2024-02-15T10:00:00+05:00',
    '2024-02-15T10:00:00Z',
    '2024-02-15T10:00:00.250-03:30',
    '2024-02-15',
    '15/02/2024 10:00',
    '2024-02-30 10:00',
    '2024-02-15 24:00',
    'yesterday',
  ])('keeps %s as written (an offset is kept; what is not a local time is left for the pipeline to reject)', (cell) => {
    expect(toOccurredAt(cell, ALMATY)).toBe(cell);
  });

  it('finds the instant of a wall time in UTC and in a fixed zone', () => {
    expect(instantOfWallTime(Date.parse('2024-06-15T10:00:00Z'), 'UTC')).toBe(Date.parse('2024-06-15T10:00:00Z'));
    expect(toOccurredAt('2024-06-15 10:00', 'UTC')).toBe('2024-06-15T10:00:00+00:00');
  });

  it.each(['Asia/Almaty', 'America/New_York', 'Australia/Lord_Howe', 'Europe/London'])(
    'agrees, in %s, with the exact resolution for every half hour of 2024 (the per-day cache changes nothing)',
    (zone) => {
      const mismatches: string[] = [];
      for (
        let wallMs = Date.parse('2024-01-01T00:00:00Z');
        wallMs < Date.parse('2025-01-01T00:00:00Z');
        wallMs += 30 * 60_000
      ) {
        const wall = new Date(wallMs).toISOString().slice(0, 19);
        const exact = formatInZone(instantOfWallTime(wallMs, zone), zone);
        if (toOccurredAt(wall, zone) !== exact) mismatches.push(wall);
      }
      expect(mismatches).toEqual([]);
    },
  );

  it('tells IANA zone names from others', () => {
    expect(isTimeZone(ALMATY)).toBe(true);
    expect(isTimeZone('Mars/Olympus_Mons')).toBe(false);
  });
});
