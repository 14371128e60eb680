import { scopeKey, scopeOfKey } from '@caravan/contract';
import { changePct, type DayRange, type RateTable, round1, windowsAt } from '@caravan/domain';
import type { ExpectedKpi, SimEvent } from '../types';
import { dailyRows, type Family } from './daily-rows';
import { destinationRanks } from './destination-ranks';

export type KpiTarget = { kpi: string; scopeKey: string; year: number; target: number };
export type ExpectedOptions = { timeZone: string; rates: RateTable; targets: readonly KpiTarget[] };

/** A kpi_targets scope_key as the publisher reads it: parsed, then keyed again (sorted). */
const normalized = (key: string): string => scopeKey(scopeOfKey(key));

const inRange = (day: string, range: DayRange): boolean => day >= range.from && day <= range.to;

/**
 * The ytd snapshots the publisher publishes once these accepted events are projected (on an
 * otherwise empty store): at the watermark (the latest occurredAt), for the whole market and every
 * dimension value seen in the window or its year-earlier twin, and the destination ranks.
 */
export function expectedKpis(events: SimEvent[], options: ExpectedOptions): ExpectedKpi[] {
  if (events.length === 0) return [];
  const watermarkMs = events.reduce((max, e) => Math.max(max, Date.parse(e.occurredAt)), Number.NEGATIVE_INFINITY);
  const ytd = windowsAt(watermarkMs, options.timeZone).find((w) => w.name === 'ytd');
  if (!ytd) throw new Error('no ytd window');
  const year = Number(ytd.current.to.slice(0, 4));
  const targets = new Map(
    options.targets.filter((t) => t.year === year).map((t) => [`${t.kpi}|${normalized(t.scopeKey)}`, t.target]),
  );
  const families = dailyRows(events, options.timeZone, options.rates);
  const figures: ExpectedKpi[] = [];
  for (const f of families) {
    for (const { scope, current, previous } of sumsByScope(f, ytd.current, ytd.previous)) {
      f.measures.forEach((kpi, m) => {
        // The publisher reads sums as numbers, cents divided by 100 after.
        const read = (v: bigint) => (f.cents.has(kpi) ? Number(v) / 100 : Number(v));
        const value = read(current[m] as bigint);
        const before = read(previous[m] as bigint);
        const target = targets.get(`${kpi}|${scopeKey(scope)}`);
        figures.push({
          kpi,
          window: 'ytd',
          scope,
          value,
          previous: before,
          changePct: changePct(value, before),
          target: target ?? null,
          progressPct: target ? round1((value / target) * 100) : null,
        });
      });
    }
  }
  figures.push(...destinationRanks(families[1] as Family, ytd.current, ytd.previous));
  return figures.sort((a, b) => a.kpi.localeCompare(b.kpi) || scopeKey(a.scope).localeCompare(scopeKey(b.scope)));
}

type ScopeSums = { scope: Record<string, string>; current: bigint[]; previous: bigint[] };

/**
 * Sums per scope: the whole market (always, as GROUPING SETS' empty set gives a row even over no
 * rows) and each dimension value with a row in either range; an empty value (an arrival without
 * destination) has no scope.
 */
function sumsByScope(f: Family, current: DayRange, previous: DayRange): ScopeSums[] {
  const zero = () => f.measures.map(() => 0n);
  const whole: ScopeSums = { scope: {}, current: zero(), previous: zero() };
  const scopes = new Map<string, ScopeSums>([['*', whole]]);
  for (const row of f.rows.values()) {
    const now = inRange(row.day, current);
    if (!now && !inRange(row.day, previous)) continue;
    const targets = [whole];
    f.dimensions.forEach((dimension, d) => {
      const value = row.dims[d] as string;
      if (value === '') return;
      const key = `${dimension}=${value}`;
      let s = scopes.get(key);
      if (!s) scopes.set(key, (s = { scope: { [dimension]: value }, current: zero(), previous: zero() }));
      targets.push(s);
    });
    for (const s of targets) {
      const sums = now ? s.current : s.previous;
      row.sums.forEach((v, m) => (sums[m] = (sums[m] as bigint) + v));
    }
  }
  return [...scopes.values()];
}
