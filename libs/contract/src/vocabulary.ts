// The pipeline's names, each written here once and imported wherever they are needed: the API's
// parameters and OpenAPI document, the publisher's families, the metrics' labels, the simulator's
// expectations, the CLI and the dashboard. This file imports nothing (zod least of all): the
// dashboard's bundle takes it as it is.

/**
 * The KPIs summed per local day from one daily aggregate, and the dimensions that aggregate breaks
 * them down by (docs/contract §3), by the events they are read from.
 */
export const KPI_BREAKDOWNS = {
  arrivals: { kpis: ['arrivals'], dimensions: ['nationality', 'port', 'purpose', 'destination'] },
  bookings: {
    kpis: ['bookings', 'bookings_cancelled', 'revenue_usd', 'net_revenue_usd'],
    dimensions: ['market', 'destination', 'channel'],
  },
  media: { kpis: ['media_views'], dimensions: ['platform', 'campaign', 'market'] },
} as const;
type Breakdown = (typeof KPI_BREAKDOWNS)[keyof typeof KPI_BREAKDOWNS];
const breakdowns: readonly Breakdown[] = Object.values(KPI_BREAKDOWNS);

/** The KPIs with a value per local day (a time series, a dashboard tile): every breakdown's, in order. */
export type SeriesKpi = Breakdown['kpis'][number];
export const SERIES_KPIS: readonly SeriesKpi[] = breakdowns.flatMap((b) => b.kpis);

/** Every KPI published: the series ones, then the destinations ranked by bookings. */
export const KPIS = [...SERIES_KPIS, 'destination_rank'] as const;
export type Kpi = (typeof KPIS)[number];

/** The KPIs in US dollars (the others are counts). */
export const USD_KPIS: readonly Kpi[] = ['revenue_usd', 'net_revenue_usd'];

/** What a snapshot may be scoped by (`scope.<dimension>=<value>`): every breakdown's, in order of first mention. */
export type Dimension = Breakdown['dimensions'][number];
export const DIMENSIONS: readonly Dimension[] = [...new Set(breakdowns.flatMap((b) => b.dimensions))];

/** The dimensions each KPI is broken down by: one snapshot per value of each, besides the whole market's. */
export const KPI_DIMENSIONS: Readonly<Record<Kpi, readonly Dimension[]>> = dimensionsOfKpis();

function dimensionsOfKpis(): Record<Kpi, readonly Dimension[]> {
  const byKpi: Partial<Record<Kpi, readonly Dimension[]>> = {};
  for (const b of breakdowns) for (const kpi of b.kpis) byKpi[kpi] = b.dimensions;
  return { ...byKpi, destination_rank: ['market'] } as Record<Kpi, readonly Dimension[]>;
}

/** The windows every KPI is computed over, each ending with the watermark's local day (docs/contract §3). */
export const WINDOWS = ['1d', '7d', '30d', 'mtd', 'ytd'] as const;
export type WindowName = (typeof WINDOWS)[number];

/** The periods a time series sums its days by (ISO weeks start on Monday). */
export const GRANULARITIES = ['day', 'week', 'month'] as const;
export type Granularity = (typeof GRANULARITIES)[number];

/**
 * The projections the projector runs, one file each in libs/projections/src/read-models: the names
 * of their checkpoints, of the `projection` label of the lag metrics, of /v1/pipeline's entries and
 * of what the admin API and `caravan rebuild` rebuild.
 */
export const PROJECTION_NAMES = ['arrivals_daily', 'bookings', 'media_daily', 'watermark'] as const;
export type ProjectionName = (typeof PROJECTION_NAMES)[number];

/**
 * What an admin token may do (docs/operations.md): read the admin lists and jobs, replay
 * rejections, rebuild projections. The CHECK of admin_tokens.scopes (migration 0019) names them too.
 */
export const ADMIN_SCOPES = ['read', 'replay', 'rebuild'] as const;
export type AdminScope = (typeof ADMIN_SCOPES)[number];
