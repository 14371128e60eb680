import { kpiSnapshotSchema, type KpiSnapshot, scopeKey, snapshotKey, type WindowName } from '@caravan/contract';
import { type KpiWindow, windowsAt } from '@caravan/domain';
import { buildSnapshots, fingerprint, type SnapshotContext, targetKey } from './build-snapshots';
import type { KpiValue, RankValue } from './read-kpis';

const TZ = 'Asia/Almaty';
// 17:00 local on 10 March 2024, after Almaty moved from UTC+6 to UTC+5 (1 March 2024).
const WATERMARK = Date.parse('2024-03-10T12:00:00Z');
const COMPUTED_AT = new Date('2024-03-10T12:00:02Z');

const windowAt = (watermarkMs: number, name: WindowName): KpiWindow => {
  const window = windowsAt(watermarkMs, TZ).find((w) => w.name === name);
  if (!window) throw new Error(`no window ${name}`);
  return window;
};
const contextOf = (
  name: WindowName,
  targets = new Map<string, number>(),
  watermarkMs = WATERMARK,
): SnapshotContext => ({
  window: windowAt(watermarkMs, name),
  watermarkMs,
  timeZone: TZ,
  position: 1234567,
  computedAt: COMPUTED_AT,
  targets,
});

const values: KpiValue[] = [
  { kpi: 'arrivals', scope: {}, value: 655_000, previous: 368_000 },
  { kpi: 'arrivals', scope: { nationality: 'CN' }, value: 655_000, previous: 368_000 },
  { kpi: 'revenue_usd', scope: { market: 'CN' }, value: 150_000_000.5, previous: 0 },
];
const ranks: RankValue[] = [
  {
    scope: {},
    value: [
      { destination: 'almaty', bookings: 900 },
      { destination: 'astana', bookings: 20 },
    ],
    previous: [],
  },
];
const targets = new Map([
  [targetKey('arrivals', { nationality: 'CN' }, 2024), 500_000],
  [targetKey('revenue_usd', { market: 'CN' }, 2024), 300_000_000],
]);

describe('buildSnapshots (docs/contract §4)', () => {
  it('builds one snapshot per value and per rank, each window starting at its first local day with that date’s offset', () => {
    const snapshots = buildSnapshots(values, ranks, contextOf('mtd'));
    expect(snapshots).toEqual([
      {
        kpi: 'arrivals',
        window: 'mtd',
        scope: {},
        from: '2024-03-01T00:00:00+05:00',
        asOf: '2024-03-10T17:00:00+05:00',
        value: 655_000,
        previous: 368_000,
        changePct: 78,
        position: 1234567,
        computedAt: '2024-03-10T12:00:02.000Z',
      },
      expect.objectContaining({ kpi: 'arrivals', scope: { nationality: 'CN' }, value: 655_000, changePct: 78 }),
      // No previous value: no change to speak of.
      expect.objectContaining({ kpi: 'revenue_usd', previous: 0, changePct: null }),
      {
        kpi: 'destination_rank',
        window: 'mtd',
        scope: {},
        from: '2024-03-01T00:00:00+05:00',
        asOf: '2024-03-10T17:00:00+05:00',
        value: ranks[0]?.value,
        previous: [],
        changePct: null,
        position: 1234567,
        computedAt: '2024-03-10T12:00:02.000Z',
      },
    ]);
    // Only ytd snapshots carry a target.
    for (const s of snapshots) {
      expect(s).not.toHaveProperty('target');
      expect(s).not.toHaveProperty('progressPct');
      expect(kpiSnapshotSchema.safeParse(s).success).toBe(true);
    }
  });

  it('gives a window that starts before the change of offset the offset of its own first day', () => {
    expect(buildSnapshots(values.slice(0, 1), [], contextOf('ytd'))[0]?.from).toBe('2024-01-01T00:00:00+06:00');
    expect(buildSnapshots(values.slice(0, 1), [], contextOf('30d'))[0]?.from).toBe('2024-02-10T00:00:00+06:00');
    expect(buildSnapshots(values.slice(0, 1), [], contextOf('1d'))[0]?.from).toBe('2024-03-10T00:00:00+05:00');
  });

  it('gives ytd snapshots the target of their kpi, scope and year with progressPct to one decimal, null without one', () => {
    const ytd = buildSnapshots(values, ranks, contextOf('ytd', targets));
    expect(ytd.map((s) => [s.kpi, scopeKey(s.scope), s.target, s.progressPct])).toEqual([
      ['arrivals', '*', null, null],
      ['arrivals', 'nationality=CN', 500_000, 131],
      ['revenue_usd', 'market=CN', 300_000_000, 50],
      // A rank has no target.
      ['destination_rank', '*', undefined, undefined],
    ]);
    const zero = new Map([[targetKey('arrivals', {}, 2024), 0]]);
    expect(buildSnapshots(values.slice(0, 1), [], contextOf('ytd', zero))[0]).toMatchObject({
      target: 0,
      progressPct: null,
    });
  });

  it('takes the target of the year the window ends in: the local year of the watermark', () => {
    // 2024-12-31T20:00:00Z is already 1 January 2025 in Almaty: 2024's target is not 2025's.
    const newYear = Date.parse('2024-12-31T20:00:00Z');
    const [snapshot] = buildSnapshots(values.slice(1, 2), [], contextOf('ytd', targets, newYear));
    expect(snapshot).toMatchObject({
      from: '2025-01-01T00:00:00+05:00',
      asOf: '2025-01-01T01:00:00+05:00',
      target: null,
      progressPct: null,
    });
  });
});

describe('fingerprint: what makes two snapshots the same for publishing', () => {
  const [snapshot] = buildSnapshots(values.slice(1, 2), [], contextOf('ytd', targets)) as [KpiSnapshot];

  it('ignores when a snapshot was computed and at which position', () => {
    expect(fingerprint({ ...snapshot, computedAt: '2025-01-01T00:00:00.000Z', position: 9_999_999 })).toBe(
      fingerprint(snapshot),
    );
    expect(fingerprint(snapshot)).not.toMatch(/computedAt|position/);
  });

  it('is unchanged by the order of keys, at every depth (a snapshot read back from jsonb)', () => {
    const reordered = Object.fromEntries(Object.entries(snapshot).reverse()) as KpiSnapshot;
    expect(Object.keys(reordered)).not.toEqual(Object.keys(snapshot));
    expect(fingerprint(reordered)).toBe(fingerprint(snapshot));
    const twoDimensions = (scope: Record<string, string>) => fingerprint({ ...snapshot, scope });
    expect(twoDimensions({ a: '1', b: '2' })).toBe(twoDimensions({ b: '2', a: '1' }));
    expect(fingerprint(JSON.parse(JSON.stringify(snapshot)) as KpiSnapshot)).toBe(fingerprint(snapshot));
  });

  it('changes with anything a consumer reads', () => {
    const changed: Array<Partial<KpiSnapshot>> = [
      { value: 655_001 },
      { previous: 368_001 },
      { changePct: 78.1 },
      { target: 500_001 },
      { progressPct: 131.1 },
      { asOf: '2024-03-10T17:00:01+05:00' },
      { from: '2024-01-02T00:00:00+06:00' },
      { scope: { nationality: 'KZ' } },
      { window: 'mtd' },
      { kpi: 'bookings' },
    ];
    for (const change of changed) expect(fingerprint({ ...snapshot, ...change })).not.toBe(fingerprint(snapshot));
  });
});

describe('snapshot keys', () => {
  it('writes scopes as * or sorted dimension=value pairs, and keys as kpi|window|scope', () => {
    expect(scopeKey({})).toBe('*');
    expect(scopeKey({ port: 'khorgos', nationality: 'CN' })).toBe('nationality=CN,port=khorgos');
    expect(snapshotKey('arrivals', 'ytd', { nationality: 'CN' })).toBe('arrivals|ytd|nationality=CN');
    expect(snapshotKey('bookings', '1d', {})).toBe('bookings|1d|*');
    expect(targetKey('arrivals', { nationality: 'CN' }, 2024)).toBe('arrivals|nationality=CN|2024');
  });
});
