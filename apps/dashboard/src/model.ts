/** The API's shapes as the page reads them (docs/contract §4; docs/openapi.json). */
export const WINDOWS = ['1d', '7d', '30d', 'mtd', 'ytd'] as const;
export type Window = (typeof WINDOWS)[number];
export const TILE_KPIS = [
  'arrivals',
  'bookings',
  'bookings_cancelled',
  'revenue_usd',
  'net_revenue_usd',
  'media_views',
] as const;
export type TileKpi = (typeof TILE_KPIS)[number];
export const DIMENSIONS = [
  'nationality',
  'port',
  'purpose',
  'destination',
  'market',
  'channel',
  'platform',
  'campaign',
] as const;
export type Dimension = (typeof DIMENSIONS)[number];
export type Scope = Partial<Record<Dimension, string>>;

/** Which dimensions each KPI is broken down by (docs/contract §3). */
export const KPI_DIMENSIONS: Record<TileKpi | 'destination_rank', readonly Dimension[]> = {
  arrivals: ['nationality', 'port', 'purpose', 'destination'],
  bookings: ['market', 'destination', 'channel'],
  bookings_cancelled: ['market', 'destination', 'channel'],
  revenue_usd: ['market', 'destination', 'channel'],
  net_revenue_usd: ['market', 'destination', 'channel'],
  media_views: ['platform', 'campaign', 'market'],
  destination_rank: ['market'],
};

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
  kpi: TileKpi | 'destination_rank';
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
export type Granularity = 'day' | 'week' | 'month';

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

export function scopeKey(scope: Scope): string {
  const entries = Object.entries(scope).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? '*' : entries.map(([k, v]) => `${k}=${v}`).join(',');
}

export const snapshotKey = (kpi: string, window: string, scope: Scope): string => `${kpi}|${window}|${scopeKey(scope)}`;

/** The one dimension a snapshot is scoped by, or undefined (whole market, or several). */
export function onlyDimension(scope: Scope): Dimension | undefined {
  const keys = Object.keys(scope) as Dimension[];
  return keys.length === 1 ? keys[0] : undefined;
}
