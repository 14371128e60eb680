import type { KpiSnapshot } from '@caravan/contract';
import { fingerprint } from './build-snapshots';
import { snapshotKey } from '@caravan/contract';
import { provisionalAfter, snapshotsToPublish } from './republish';

const snapshot = (kpi: KpiSnapshot['kpi'], value: number, position: number): KpiSnapshot => ({
  kpi,
  window: '1d',
  scope: {},
  from: '2024-03-10T00:00:00+05:00',
  asOf: '2024-03-10T17:00:00+05:00',
  value,
  previous: 0,
  changePct: null,
  position,
  computedAt: new Date(Date.UTC(2024, 2, 10, 12, 0, position)).toISOString(),
});
const key = (s: KpiSnapshot) => snapshotKey(s.kpi, s.window, s.scope);
const lastOf = (snapshots: KpiSnapshot[]) => new Map(snapshots.map((s) => [key(s), fingerprint(s)]));
const kpisOf = (snapshots: KpiSnapshot[]) => snapshots.map((s) => `${s.kpi}@${s.position}`);

describe('the republish rule', () => {
  const published = [snapshot('arrivals', 10, 100), snapshot('bookings', 3, 100)];
  const last = lastOf(published);

  it('publishes every snapshot when nothing was published before', () => {
    expect(kpisOf(snapshotsToPublish(published, { last: new Map(), provisional: new Set(), level: true }))).toEqual([
      'arrivals@100',
      'bookings@100',
    ]);
  });

  it('publishes only the snapshots whose content changed, not those computed again at another position', () => {
    const now = [snapshot('arrivals', 11, 120), snapshot('bookings', 3, 120)];
    expect(kpisOf(snapshotsToPublish(now, { last, provisional: new Set(), level: true }))).toEqual(['arrivals@120']);
    expect(snapshotsToPublish(now.slice(1), { last, provisional: new Set(), level: false })).toEqual([]);
  });

  it('publishes again, once level, what was published while the projections were not, each snapshot once', () => {
    const provisional = new Set(published.map(key));
    const now = [snapshot('arrivals', 11, 120), snapshot('bookings', 3, 120), snapshot('media_views', 5, 120)];
    expect(kpisOf(snapshotsToPublish(now, { last, provisional, level: true }))).toEqual([
      'arrivals@120',
      'media_views@120',
      // Unchanged, but its value may have shown events beyond position 100: now covered by 120.
      'bookings@120',
    ]);
    // Not level yet: only what changed.
    expect(kpisOf(snapshotsToPublish(now, { last, provisional, level: false }))).toEqual([
      'arrivals@120',
      'media_views@120',
    ]);
    // A provisional key no longer computed is nothing to publish.
    expect(snapshotsToPublish([], { last, provisional, level: true })).toEqual([]);
  });

  it('keeps the keys published while not level as provisional until a level run publishes', () => {
    expect([...provisionalAfter(new Set(['a']), ['b', 'a'], false)]).toEqual(['a', 'b']);
    expect([...provisionalAfter(new Set(['a']), ['b'], true)]).toEqual([]);
  });

  it('leaves no snapshot claiming less than it shows, over a sequence of runs', () => {
    let remembered = { last: new Map<string, string>(), provisional: new Set<string>() };
    const run = (snapshots: KpiSnapshot[], level: boolean) => {
      const out = snapshotsToPublish(snapshots, { ...remembered, level });
      // As SnapshotPublisher: remembered only once published, nothing when there was nothing to publish.
      if (out.length > 0)
        remembered = {
          last: new Map([...remembered.last, ...lastOf(out)]),
          provisional: provisionalAfter(remembered.provisional, out.map(key), level),
        };
      return kpisOf(out);
    };
    // Position 100 read while a projection had gone further: the values may show events past 100.
    expect(run([snapshot('arrivals', 10, 100)], false)).toEqual(['arrivals@100']);
    expect(run([snapshot('arrivals', 10, 100)], false)).toEqual([]);
    // Level at 130 with the same value: published again, claiming 130.
    expect(run([snapshot('arrivals', 10, 130)], true)).toEqual(['arrivals@130']);
    expect(run([snapshot('arrivals', 10, 140)], true)).toEqual([]);
    expect(remembered.provisional.size).toBe(0);
  });
});
