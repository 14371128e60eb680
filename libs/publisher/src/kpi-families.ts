/** How each KPI is read from an aggregate table: its measure and its dimensions (docs/contract §3). */
export type KpiFamily = {
  table: string;
  dimensions: readonly string[];
  /** kpi → SQL sum expression over the table's columns; cents are turned to USD after. */
  measures: Record<string, { sql: string; cents?: boolean }>;
};

export const KPI_FAMILIES: readonly KpiFamily[] = [
  {
    table: 'arrivals_daily',
    dimensions: ['nationality', 'port', 'purpose', 'destination'],
    measures: { arrivals: { sql: 'travelers' } },
  },
  {
    table: 'bookings_daily',
    dimensions: ['market', 'destination', 'channel'],
    measures: {
      bookings: { sql: 'bookings' },
      bookings_cancelled: { sql: 'cancellations' },
      revenue_usd: { sql: 'revenue_cents', cents: true },
      net_revenue_usd: { sql: 'revenue_cents - cancelled_cents', cents: true },
    },
  },
  {
    table: 'media_daily',
    dimensions: ['platform', 'campaign', 'market'],
    measures: { media_views: { sql: 'views' } },
  },
];

export type Scope = Record<string, string>;

/** `*` for the whole market, else `dimension=value` pairs sorted and comma-joined. */
export function scopeKey(scope: Scope): string {
  const entries = Object.entries(scope).sort(([a], [b]) => a.localeCompare(b));
  return entries.length === 0 ? '*' : entries.map(([k, v]) => `${k}=${v}`).join(',');
}

/** The compacted topic's record key: kpi|window|scope. */
export function snapshotKey(kpi: string, window: string, scope: Scope): string {
  return `${kpi}|${window}|${scopeKey(scope)}`;
}
