import type { Pool, PoolClient } from 'pg';
import type { Scope } from '@caravan/contract';
import type { KpiWindow } from '@caravan/domain';
import type { KpiFamily } from './kpi-families';

export type KpiValue = { kpi: string; scope: Scope; value: number; previous: number };
export type RankEntry = { destination: string; bookings: number };
export type RankValue = { scope: Scope; value: RankEntry[]; previous: RankEntry[] };

const IDENT = /^[a-z_]+$/;
/** A table or column name from the KPI families, refused unless plain (it ends up in SQL text). */
export const ident = (s: string): string => {
  if (!IDENT.test(s)) throw new Error(`bad identifier ${s}`);
  return s;
};

/**
 * Every KPI of a family for one window and its year-earlier twin, for the whole market and each
 * dimension one by one, in one GROUPING SETS query over the daily aggregate (never the events).
 */
export async function readFamily(db: Pool | PoolClient, family: KpiFamily, window: KpiWindow): Promise<KpiValue[]> {
  const dims = family.dimensions.map(ident);
  const kpis = Object.keys(family.measures);
  const sums = kpis.flatMap((kpi, i) => {
    const m = family.measures[kpi];
    if (!m) return [];
    return [
      `coalesce(sum(${m.sql}) FILTER (WHERE day BETWEEN $1 AND $2), 0)::text AS cur_${i}`,
      `coalesce(sum(${m.sql}) FILTER (WHERE day BETWEEN $3 AND $4), 0)::text AS prev_${i}`,
    ];
  });
  const { rows } = await db.query<Record<string, string | number | null>>(
    `SELECT ${dims.map((d) => `GROUPING(${d})::int AS g_${d}, ${d}`).join(', ')}, ${sums.join(', ')}
     FROM ${ident(family.table)}
     WHERE day BETWEEN $1 AND $2 OR day BETWEEN $3 AND $4
     GROUP BY GROUPING SETS ((), ${dims.map((d) => `(${d})`).join(', ')})`,
    [window.current.from, window.current.to, window.previous.from, window.previous.to],
  );
  const values: KpiValue[] = [];
  for (const row of rows) {
    const scope = scopeOfRow(dims, row);
    if (!scope) continue;
    kpis.forEach((kpi, i) => {
      const cents = family.measures[kpi]?.cents === true;
      const read = (v: unknown): number => (cents ? Number(v) / 100 : Number(v));
      values.push({ kpi, scope, value: read(row[`cur_${i}`]), previous: read(row[`prev_${i}`]) });
    });
  }
  return values;
}

/**
 * The scope of a GROUPING SETS row: the dimension it is grouped by (GROUPING(d) = 0) with its
 * value, or the whole market; undefined when that value is '' (an arrival without a destination
 * has no destination scope).
 */
export function scopeOfRow(dims: readonly string[], row: Record<string, unknown>): Scope | undefined {
  const grouped = dims.find((d) => row[`g_${d}`] === 0);
  if (!grouped) return {};
  const value = String(row[grouped] ?? '');
  return value === '' ? undefined : { [grouped]: value };
}

/** The rank's order: most bookings first, then by destination. */
export const byRank = (a: RankEntry, b: RankEntry): number =>
  b.bookings - a.bookings || a.destination.localeCompare(b.destination);

/** Destinations ordered by bookings, whole market and per market, now and a year earlier. */
export async function readDestinationRank(db: Pool | PoolClient, window: KpiWindow): Promise<RankValue[]> {
  const { rows } = await db.query<{
    g_market: number;
    market: string | null;
    destination: string;
    cur: string;
    prev: string;
  }>(
    `SELECT GROUPING(market)::int AS g_market, market, destination,
            coalesce(sum(bookings) FILTER (WHERE day BETWEEN $1 AND $2), 0)::text AS cur,
            coalesce(sum(bookings) FILTER (WHERE day BETWEEN $3 AND $4), 0)::text AS prev
     FROM bookings_daily
     WHERE day BETWEEN $1 AND $2 OR day BETWEEN $3 AND $4
     GROUP BY GROUPING SETS ((destination), (market, destination))`,
    [window.current.from, window.current.to, window.previous.from, window.previous.to],
  );
  const byScope = new Map<string, RankValue>();
  for (const row of rows) {
    const scope: Scope = row.g_market === 0 && row.market !== null ? { market: row.market } : {};
    const key = scope.market ?? '*';
    const rank = byScope.get(key) ?? { scope, value: [], previous: [] };
    if (Number(row.cur) > 0) rank.value.push({ destination: row.destination, bookings: Number(row.cur) });
    if (Number(row.prev) > 0) rank.previous.push({ destination: row.destination, bookings: Number(row.prev) });
    byScope.set(key, rank);
  }
  return [...byScope.values()].map((r) => ({ ...r, value: r.value.sort(byRank), previous: r.previous.sort(byRank) }));
}
