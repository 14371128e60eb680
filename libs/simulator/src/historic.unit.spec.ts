import { localDate, startOfLocalDay } from '@caravan/domain';
import { historicTraffic } from './historic';
import type { SimRecord, TrafficMix } from './types';

const ZONE = 'Asia/Almaty';
const MIX: TrafficMix = { badShare: 0.01, duplicateShare: 0.01 };
const FROM = new Date(startOfLocalDay('2024-01-01', ZONE));
const TO = new Date(startOfLocalDay('2025-01-01', ZONE));
const timeOf = (r: SimRecord): number => Date.parse(JSON.parse(r.value.toString('utf8')).occurredAt);

describe('historicTraffic', () => {
  const records = [...historicTraffic({ seed: 9, timeZone: ZONE, mix: MIX, from: FROM, to: TO, count: 40_000 })];
  const accepted = records.filter((r) => r.expected.outcome === 'accepted');

  it('gives exactly `count` records, accepted events all in [from, to)', () => {
    expect(records).toHaveLength(40_000);
    expect(accepted.filter((r) => !(timeOf(r) >= FROM.getTime() && timeOf(r) < TO.getTime()))).toEqual([]);
  });

  it('gives exactly `count` records for small counts too, bookings held back included', () => {
    for (const count of [0, 1, 2, 3, 17, 300]) {
      const from = new Date('2024-10-01T00:00:00+05:00');
      const to = new Date('2024-10-01T06:00:00+05:00');
      const few = [...historicTraffic({ seed: count, timeZone: ZONE, mix: MIX, from, to, count })];
      expect(few).toHaveLength(count);
      expect(
        few.filter(
          (r) => r.expected.outcome === 'accepted' && !(timeOf(r) >= from.getTime() && timeOf(r) < to.getTime()),
        ),
      ).toEqual([]);
    }
  });

  it('follows the seasons: a Golden Week day and a July day are busier than a November day', () => {
    const perDay = new Map<string, number>();
    for (const r of accepted) {
      const day = localDate(timeOf(r), ZONE);
      perDay.set(day, (perDay.get(day) ?? 0) + 1);
    }
    const average = (prefix: string, days: (d: string) => boolean = () => true) => {
      const list = [...perDay].filter(([d]) => d.startsWith(prefix) && days(d)).map(([, n]) => n);
      return list.reduce((a, n) => a + n, 0) / list.length;
    };
    const november = average('2024-11');
    expect(average('2024-07')).toBeGreaterThan(2 * november);
    expect(average('2024-10', (d) => d <= '2024-10-07')).toBeGreaterThan(3 * november);
    expect(perDay.size).toBe(366);
  });

  it('follows the time of day: few events at night', () => {
    const hours = new Array<number>(24).fill(0);
    for (const r of accepted) {
      const hour = Number(JSON.parse(r.value.toString('utf8')).occurredAt.slice(11, 13));
      hours[hour] = (hours[hour] ?? 0) + 1;
    }
    expect((hours[3] as number) * 4).toBeLessThan(hours[12] as number);
  });

  it('is deterministic, and in time order but for bookings sent after their cancellation', () => {
    const run = (seed: number) =>
      [...historicTraffic({ seed, timeZone: ZONE, mix: MIX, from: FROM, to: TO, count: 2_000 })].map((r) =>
        r.value.toString('utf8'),
      );
    expect(run(9)).toEqual(run(9));
    expect(run(10)).not.toEqual(run(9));
    const times = records.filter((r) => r.event && r.event.type !== 'BookingCreated').map(timeOf);
    expect(times.findIndex((t, i) => i > 0 && t < (times[i - 1] as number))).toBe(-1);
  });

  it('refuses an empty range or a negative count', () => {
    expect(() => [...historicTraffic({ seed: 1, timeZone: ZONE, mix: MIX, from: TO, to: FROM, count: 1 })]).toThrow(
      RangeError,
    );
    expect(() => [...historicTraffic({ seed: 1, timeZone: ZONE, mix: MIX, from: FROM, to: TO, count: -1 })]).toThrow(
      RangeError,
    );
  });
});
