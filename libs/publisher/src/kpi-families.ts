import { KPI_BREAKDOWNS } from '@caravan/contract';

/** A SQL sum expression over an aggregate table's columns; cents are turned to USD after. */
type Measure = { sql: string; cents?: boolean };

/** How each KPI is read from an aggregate table: its measure and its dimensions (docs/contract §3). */
export type KpiFamily = {
  table: string;
  dimensions: readonly string[];
  /** kpi → its measure. */
  measures: Record<string, Measure>;
};

/** One of the contract's breakdowns read from its daily table: a measure for each of its KPIs, in its order. */
function family<B extends keyof typeof KPI_BREAKDOWNS>(
  breakdown: B,
  table: string,
  measures: Record<(typeof KPI_BREAKDOWNS)[B]['kpis'][number], Measure>,
): KpiFamily {
  const { kpis, dimensions } = KPI_BREAKDOWNS[breakdown];
  return {
    table,
    dimensions,
    measures: Object.fromEntries(kpis.map((kpi: keyof typeof measures) => [kpi, measures[kpi]])),
  };
}

export const KPI_FAMILIES: readonly KpiFamily[] = [
  family('arrivals', 'arrivals_daily', { arrivals: { sql: 'travelers' } }),
  family('bookings', 'bookings_daily', {
    bookings: { sql: 'bookings' },
    bookings_cancelled: { sql: 'cancellations' },
    revenue_usd: { sql: 'revenue_cents', cents: true },
    net_revenue_usd: { sql: 'revenue_cents - cancelled_cents', cents: true },
  }),
  family('media', 'media_daily', { media_views: { sql: 'views' } }),
];
