import { formatInZone } from '@caravan/domain';
import { dayWeight, SPRING_FESTIVAL } from './seasonality';
import { localDays, zoneFormatter } from './zone-clock';

describe('seasonality', () => {
  it('peaks in summer and in Golden Week, dips in November, for Chinese travellers', () => {
    // Same weekday (Wednesday) for each.
    expect(dayWeight('2024-07-17')).toBeGreaterThan(2 * dayWeight('2024-11-13'));
    expect(dayWeight('2024-10-02')).toBeGreaterThan(3 * dayWeight('2024-11-13'));
    expect(dayWeight('2024-10-02', 'RU')).toBeLessThan(dayWeight('2024-07-17', 'RU'));
  });

  it('lifts the Spring Festival, from two days before Chinese New Year to six after', () => {
    expect(SPRING_FESTIVAL[2024]).toBe('2024-02-10');
    // Thu (first day) vs Wed (before)
    expect(dayWeight('2024-02-08') / dayWeight('2024-02-07')).toBeCloseTo(1.9 * (1.0 / 0.95), 5);
    // Fri (last day) vs Sat (after)
    expect(dayWeight('2024-02-16') / dayWeight('2024-02-17')).toBeCloseTo(1.9 * (1.08 / 1.1), 5);
    expect(dayWeight('2023-01-22')).toBeGreaterThan(dayWeight('2024-01-21'));
  });
});

describe('zoneFormatter and localDays', () => {
  it('format exactly as formatInZone, across Almaty’s change to UTC+5 and Berlin’s summer time', () => {
    for (const zone of ['Asia/Almaty', 'Europe/Berlin', 'America/New_York', 'Asia/Kathmandu']) {
      const format = zoneFormatter(zone);
      const differing: string[] = [];
      for (
        let t = Date.parse('2024-02-25T00:00:00Z');
        t < Date.parse('2024-04-05T00:00:00Z');
        t += 17 * 60_000 + 13_000
      ) {
        if (format(t) !== formatInZone(t, zone)) differing.push(`${zone} ${new Date(t).toISOString()}`);
      }
      expect(differing).toEqual([]);
    }
  });

  it('tell the local day and its bounds', () => {
    const dayOf = localDays('Asia/Almaty');
    expect(dayOf(Date.parse('2024-02-29T19:30:00Z'))).toMatchObject({ day: '2024-03-01', offset: '+05:00' });
    // 29 February 2024 lasted 25 hours in Almaty: its offset changed at midnight.
    expect(dayOf(Date.parse('2024-02-29T12:00:00Z'))).toMatchObject({ day: '2024-02-29', offset: null });
  });
});
