/** The API's shapes as the page reads them (docs/contract §4; docs/openapi.json). */
// The contract's names come from its modules without zod (by path: the bundle stays within its budget).
import { scopeKey, snapshotKey } from '../../../libs/contract/src/snapshot-key';
import {
  DIMENSIONS,
  type Dimension,
  type Granularity,
  type Kpi,
  KPI_DIMENSIONS,
  SERIES_KPIS,
  type SeriesKpi,
  USD_KPIS,
  WINDOWS,
  type WindowName,
} from '../../../libs/contract/src/vocabulary';

export { DIMENSIONS, type Dimension, type Granularity, KPI_DIMENSIONS, scopeKey, snapshotKey, USD_KPIS, WINDOWS };
export type Window = WindowName;
/** A tile for each KPI with a daily series. */
export const TILE_KPIS = SERIES_KPIS;
export type TileKpi = SeriesKpi;
export type Scope = Partial<Record<Dimension, string>>;

/** Nationality (arrivals) and source market (bookings, revenue, media) name the same countries. */
const COUNTRY_DIMENSIONS: readonly Dimension[] = ['nationality', 'market'];

/**
 * The scope a KPI is shown for when the page is scoped by `scope`: that scope when the KPI is broken
 * down by it; for a country (nationality or market), the same country in the KPI's own country
 * dimension (Chinese arrivals beside the Chinese market's revenue); else none.
 */
export function tileScope(kpi: TileKpi, scope: Scope): Scope | undefined {
  const dimensions = Object.keys(scope) as Dimension[];
  if (dimensions.every((d) => KPI_DIMENSIONS[kpi].includes(d))) return scope;
  const [only] = dimensions;
  if (dimensions.length !== 1 || !only || !COUNTRY_DIMENSIONS.includes(only)) return undefined;
  const other = COUNTRY_DIMENSIONS.find((d) => d !== only && KPI_DIMENSIONS[kpi].includes(d));
  return other ? { [other]: scope[only] } : undefined;
}

export type RankEntry = { destination: string; bookings: number };
export type KpiSnapshot = {
  kpi: Kpi;
  window: Window;
  scope: Scope;
  from: string;
  asOf: string;
  value: number | RankEntry[];
  previous?: number | RankEntry[] | null;
  changePct?: number | null;
  target?: number | null;
  progressPct?: number | null;
  position: number;
  computedAt: string;
};

export type SeriesPoint = { period: string; value: number };

export type PipelineSummary = {
  readAt: string;
  totals: {
    consumed: number;
    accepted: number;
    duplicate: number;
    rejected: number;
    rejectedByCode: Record<string, number>;
  };
  consumerLag: number | null;
  projections: Array<{ name: string; lagEvents: number; lagSeconds: number; setAside: number }>;
  dlq: { pending: number; refused: number };
  snapshotAgeSeconds?: number;
};

/** The one dimension a snapshot is scoped by, or undefined (whole market, or several). */
export function onlyDimension(scope: Scope): Dimension | undefined {
  const keys = Object.keys(scope) as Dimension[];
  return keys.length === 1 ? keys[0] : undefined;
}
