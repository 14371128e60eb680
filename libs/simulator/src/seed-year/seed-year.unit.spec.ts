import { type ArrivalRecordedData, validateRecord } from '@caravan/contract';
import { localDate } from '@caravan/domain';
import { hasDefaultRate } from '../defaults';
import { summarize } from '../records';
import type { ExpectedKpi, SimRecord } from '../types';
import { type SeedYear, seedYear } from './seed-year';

const ZONE = 'Asia/Almaty';

describe('seedYear (the article’s 2023 and 2024)', () => {
  let data: SeedYear;
  beforeAll(() => {
    data = seedYear();
  });
  const accepted = (): SimRecord[] => data.records.filter((r) => r.expected.outcome === 'accepted');
  const find = (kpi: string, scope: Record<string, string>): ExpectedKpi | undefined =>
    data.expected.find((e) => e.kpi === kpi && JSON.stringify(e.scope) === JSON.stringify(scope));

  // How fast it is generated is for `npm run bench`, not for a test that must pass on a busy machine.
  it('has a size that ingests in seconds', () => {
    expect(data.records.length).toBeGreaterThanOrEqual(60_000);
    expect(data.records.length).toBeLessThanOrEqual(130_000);
  });

  it('counts exactly 368,000 Chinese arrivals in local 2023 and 655,000 in local 2024 (read back from the bytes)', () => {
    const byYear = new Map<string, number>();
    for (const r of accepted()) {
      const event = JSON.parse(r.value.toString('utf8'));
      if (event.type !== 'ArrivalRecorded' || (event.data as ArrivalRecordedData).nationality !== 'CN') continue;
      const year = localDate(Date.parse(event.occurredAt), ZONE).slice(0, 4);
      byYear.set(year, (byYear.get(year) ?? 0) + event.data.travelers);
    }
    expect(Object.fromEntries(byYear)).toEqual({ '2023': 368_000, '2024': 655_000 });
  });

  it('ends on 2024-12-31 local: nothing later, nothing before 2023, every accepted event in those two years', () => {
    const times = accepted().map((r) => (r.event as { occurredAt: string }).occurredAt);
    const days = times.map((t) => localDate(Date.parse(t), ZONE));
    expect(days.reduce((a, d) => (d > a ? d : a))).toBe('2024-12-31');
    expect(days.filter((d) => d < '2023-01-01' || d > '2024-12-31')).toEqual([]);
    expect(data.asOf).toMatch(/^2024-12-31T\d\d:\d\d:\d\d\+05:00$/);
    expect(times.reduce((a, t) => (Date.parse(t) > Date.parse(a) ? t : a))).toBe(data.asOf);
    // Every occurredAt carries the zone's offset of its instant: +06:00 before 1 March 2024, +05:00 after.
    expect(times.filter((t) => !t.endsWith(t < '2024-03-01' ? '+06:00' : '+05:00'))).toEqual([]);
  });

  it('expects of every record what validateRecord decides (conflicts and redeliveries need the store)', () => {
    const context = { nowMs: Date.now(), hasRate: hasDefaultRate };
    const disagreements = data.records.flatMap((r) => {
      if (r.expected.outcome === 'duplicate' || (r.expected.outcome === 'rejected' && r.expected.code === 'conflict'))
        return [];
      const result = validateRecord(r.value, context);
      const decided = result.ok ? 'accepted' : result.rejection.code;
      const expected = r.expected.outcome === 'rejected' ? r.expected.code : r.expected.outcome;
      return decided === expected ? [] : [`${expected} → ${decided}`];
    });
    expect(disagreements).toEqual([]);
  });

  it('sends redeliveries and conflicts after the accepted record they copy, on its topic and key', () => {
    const firstSeen = new Map<string, SimRecord>();
    const wrong: string[] = [];
    let copies = 0;
    for (const r of data.records) {
      if (r.expected.outcome === 'accepted') {
        const id = r.event?.eventId as string;
        if (firstSeen.has(id)) wrong.push(`eventId ${id} accepted twice`);
        firstSeen.set(id, r);
      } else if (r.expected.outcome === 'duplicate' || r.expected.code === 'conflict') {
        copies += 1;
        const original = firstSeen.get(JSON.parse(r.value.toString('utf8')).eventId);
        if (!original || original.role !== r.role || original.key !== r.key)
          wrong.push(`no earlier record on ${r.role}/${r.key}`);
        else if (r.value.equals(original.value) !== (r.expected.outcome === 'duplicate'))
          wrong.push(`wrong bytes on ${r.key}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(copies).toBe(data.summary.duplicate + (data.summary.rejectedByCode.conflict ?? 0));
  });

  it('adds up: records = accepted + duplicate + rejected, every rejection code present', () => {
    const s = data.summary;
    expect(s).toEqual(summarize(data.records));
    expect(s.records).toBe(data.records.length);
    expect(s.accepted + s.duplicate + s.rejected).toBe(s.records);
    expect(Object.values(s.rejectedByCode).reduce((a, n) => a + (n ?? 0), 0)).toBe(s.rejected);
    expect(Object.keys(s.rejectedByCode).sort()).toEqual([
      'conflict',
      'future_event',
      'malformed_json',
      'schema',
      'too_large',
      'unknown_currency',
      'unknown_type',
      'unknown_version',
    ]);
    expect(s.duplicate / s.records).toBeGreaterThan(0.003);
    expect(s.duplicate / s.records).toBeLessThan(0.007);
  });

  it('expects the article’s figures in the ytd snapshots', () => {
    expect(find('arrivals', { nationality: 'CN' })).toEqual({
      kpi: 'arrivals',
      window: 'ytd',
      scope: { nationality: 'CN' },
      value: 655_000,
      previous: 368_000,
      changePct: 78,
      target: 500_000,
      progressPct: 131,
    });
    const media = find('media_views', {});
    expect([media?.value, media?.previous]).toEqual([63_800_000, 8_400_000]);
    const revenue = find('revenue_usd', { market: 'CN' });
    expect(revenue?.target).toBe(300_000_000);
    expect(revenue?.value).toBeGreaterThan(200_000_000);
    expect(revenue?.value).toBeLessThan(300_000_000);
    expect(revenue?.progressPct).toBe(Math.round(((revenue?.value as number) / 300_000_000) * 1000) / 10);
    expect(Number.isInteger(Math.round((revenue?.value as number) * 100))).toBe(true);
    for (const [kpi, scope] of [
      ['arrivals', {}],
      ['bookings', { market: 'CN' }],
      ['bookings_cancelled', { market: 'CN' }],
      ['net_revenue_usd', { market: 'CN' }],
    ] as const) {
      expect(find(kpi, scope)).toMatchObject({ kpi, window: 'ytd', scope, target: null, progressPct: null });
    }
    expect(find('bookings', { market: 'CN' })).toMatchObject({ value: 16_500, previous: 9_300, changePct: 77.4 });
  });

  it('pins the whole data set of the default seed (any change to the generators shows here)', () => {
    expect(data.summary).toEqual({
      records: 74_583,
      accepted: 74_027,
      duplicate: 394,
      rejected: 162,
      rejectedByCode: {
        malformed_json: 21,
        too_large: 21,
        schema: 20,
        unknown_type: 20,
        unknown_version: 20,
        unknown_currency: 20,
        future_event: 20,
        conflict: 20,
      },
    });
    expect(data.asOf).toBe('2024-12-31T22:03:52+05:00');
    const figures = (kpi: string, scope: Record<string, string>) => {
      const e = find(kpi, scope);
      return [e?.value, e?.previous, e?.changePct, e?.progressPct];
    };
    expect(figures('arrivals', {})).toEqual([933_000, 608_000, 53.5, null]);
    expect(figures('revenue_usd', { market: 'CN' })).toEqual([257_505_856.42, 146_265_091.46, 76.1, 85.8]);
    expect(figures('net_revenue_usd', { market: 'CN' })).toEqual([243_895_048.04, 138_815_073.37, 75.7, null]);
    expect(figures('bookings_cancelled', { market: 'CN' })).toEqual([1_030, 612, 68.3, null]);
    expect(data.expected).toHaveLength(137);
  });

  it('ranks Almaty first, for the Chinese market and the whole market, now and a year earlier', () => {
    for (const scope of [{ market: 'CN' }, {}] as Array<Record<string, string>>) {
      const rank = find('destination_rank', scope);
      expect(rank).toMatchObject({ changePct: null });
      expect(rank).not.toHaveProperty('target');
      const value = rank?.value as Array<{ destination: string; bookings: number }>;
      expect(value[0]?.destination).toBe('almaty');
      expect((value[0]?.bookings ?? 0) > 2 * (value[1]?.bookings ?? 0)).toBe(true);
      expect((rank?.previous as Array<{ destination: string }>)[0]?.destination).toBe('almaty');
    }
  });

  it('is deterministic: the same options give the same bytes, another seed other bytes but the same calibrated figures', () => {
    const again = seedYear();
    expect(again.records.length).toBe(data.records.length);
    expect(
      again.records.findIndex(
        (r, i) => !r.value.equals((data.records[i] as SimRecord).value) || r.key !== data.records[i]?.key,
      ),
    ).toBe(-1);
    // Another seed in a zone with summer time: other bytes, the same figures by that zone's local years.
    const other = seedYear({ seed: 7, timeZone: 'Europe/Berlin' });
    expect(other.records[0]?.value.equals(data.records[0]?.value as Buffer)).toBe(false);
    expect(other.expected.find((e) => e.kpi === 'arrivals' && e.scope.nationality === 'CN')).toMatchObject({
      value: 655_000,
      previous: 368_000,
      changePct: 78,
    });
    expect(other.asOf).toMatch(/^2024-12-31T\d\d:\d\d:\d\d\+01:00$/);
    const cn = new Map<string, number>();
    for (const r of other.records) {
      if (r.event?.type !== 'ArrivalRecorded' || r.event.data.nationality !== 'CN') continue;
      const year = localDate(Date.parse(r.event.occurredAt), 'Europe/Berlin').slice(0, 4);
      cn.set(year, (cn.get(year) ?? 0) + r.event.data.travelers);
    }
    expect(Object.fromEntries(cn)).toEqual({ '2023': 368_000, '2024': 655_000 });
  });
});
