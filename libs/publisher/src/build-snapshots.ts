import { canonicalJson, type KpiSnapshot, type Scope, scopeKey } from '@caravan/contract';
import { changePct, formatInZone, type KpiWindow, round1, startOfLocalDay } from '@caravan/domain';
import type { KpiValue, RankValue } from './read-kpis';

export type Targets = Map<string, number>;
export const targetKey = (kpi: string, scope: Scope, year: number): string => `${kpi}|${scopeKey(scope)}|${year}`;

export type SnapshotContext = {
  window: KpiWindow;
  watermarkMs: number;
  timeZone: string;
  position: number;
  computedAt: Date;
  targets: Targets;
};

/** The snapshots of one window from its KPI values (docs/contract §4). Pure. */
export function buildSnapshots(values: KpiValue[], ranks: RankValue[], context: SnapshotContext): KpiSnapshot[] {
  const { window, timeZone } = context;
  const common = {
    window: window.name,
    from: formatInZone(startOfLocalDay(window.current.from, timeZone), timeZone),
    asOf: formatInZone(context.watermarkMs, timeZone),
    position: context.position,
    computedAt: context.computedAt.toISOString(),
  };
  const year = Number(window.current.to.slice(0, 4));
  const snapshots: KpiSnapshot[] = values.map((v) => {
    const snapshot: KpiSnapshot = {
      kpi: v.kpi as KpiSnapshot['kpi'],
      scope: v.scope,
      ...common,
      value: v.value,
      previous: v.previous,
      changePct: changePct(v.value, v.previous),
    };
    if (window.name === 'ytd') {
      const target = context.targets.get(targetKey(v.kpi, v.scope, year));
      snapshot.target = target ?? null;
      snapshot.progressPct = target ? round1((v.value / target) * 100) : null;
    }
    return snapshot;
  });
  for (const r of ranks) {
    snapshots.push({
      kpi: 'destination_rank',
      scope: r.scope,
      ...common,
      value: r.value,
      previous: r.previous,
      changePct: null,
    });
  }
  return snapshots;
}

/** What makes two snapshots the same for publishing: everything but when and at which position. */
export function fingerprint(s: KpiSnapshot): string {
  const { computedAt: _computedAt, position: _position, ...rest } = s;
  // Canonical: the same snapshot read back from jsonb (keys in another order) has the same print,
  // so a restarted publisher does not publish everything again.
  return canonicalJson(rest);
}
