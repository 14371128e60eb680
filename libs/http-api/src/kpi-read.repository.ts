import { BadRequestException, Inject, Injectable } from '@nestjs/common';
import type { Pool } from 'pg';
import { type KpiSnapshot, scopeKey } from '@caravan/contract';
import { KPI_FAMILIES } from '@caravan/publisher';
import { API_POOL } from './api-pool';
import type { LatestKpisQuery, TimeSeriesQuery } from './query-params';

export type Page<T> = { items: T[]; total: number; limit: number; offset: number };
export type SeriesPoint = { period: string; value: number };

/** Read-only queries of the API: the latest snapshots, and time series from the daily aggregates. */
@Injectable()
export class KpiReadRepository {
  constructor(@Inject(API_POOL) private readonly pool: Pool) {}

  async latest(q: LatestKpisQuery): Promise<Page<KpiSnapshot>> {
    const scope = Object.keys(q.scope).length > 0 ? scopeKey(q.scope) : null;
    const { rows } = await this.pool.query<{ snapshot: KpiSnapshot; total: string }>(
      `SELECT snapshot, count(*) OVER ()::text AS total FROM kpi_latest
       WHERE ($1::text IS NULL OR kpi = $1) AND ($2::text IS NULL OR time_window = $2)
         AND ($3::text IS NULL OR scope_key = $3)
         AND ($4::boolean IS NULL OR (scope_key = '*') = $4)
         AND ($7::text IS NULL
              OR (snapshot->'scope' ? $7 AND (SELECT count(*) FROM jsonb_object_keys(snapshot->'scope')) = 1))
       ORDER BY kpi, time_window, scope_key LIMIT $5 OFFSET $6`,
      [q.kpi ?? null, q.window ?? null, scope, q.wholeMarket ?? null, q.limit, q.offset, q.dimension ?? null],
    );
    return { items: rows.map((r) => r.snapshot), total: Number(rows[0]?.total ?? 0), limit: q.limit, offset: q.offset };
  }

  /** One value per day, ISO week (Monday) or month in [from, to], zero where nothing happened. */
  async series(q: TimeSeriesQuery): Promise<SeriesPoint[]> {
    const family = KPI_FAMILIES.find((f) => q.kpi in f.measures);
    const measure = family?.measures[q.kpi];
    if (!family || !measure) throw new BadRequestException(`kpi: no time series for ${q.kpi}`);
    const filters = Object.entries(q.scope);
    for (const [dimension] of filters) {
      if (!family.dimensions.includes(dimension))
        throw new BadRequestException(`scope.${dimension}: ${q.kpi} has no dimension ${dimension}`);
    }
    // Dimensions are checked against a fixed list above; values are parameters.
    const where = filters.map(([dimension], i) => `AND ${dimension} = $${i + 4}`).join(' ');
    const { rows } = await this.pool.query<{ period: string; value: string }>(
      `WITH periods AS (
         SELECT generate_series(date_trunc($3, $1::date), date_trunc($3, $2::date), ('1 ' || $3)::interval)::date
                AS period),
       sums AS (
         SELECT date_trunc($3, day)::date AS period, sum(${measure.sql}) AS value
         FROM ${family.table} WHERE day BETWEEN $1 AND $2 ${where} GROUP BY 1)
       SELECT to_char(p.period, 'YYYY-MM-DD') AS period, coalesce(s.value, 0)::text AS value
       FROM periods p LEFT JOIN sums s USING (period) ORDER BY p.period`,
      [q.from, q.to, q.granularity, ...filters.map(([, v]) => v)],
    );
    return rows.map((r) => ({ period: r.period, value: measure.cents ? Number(r.value) / 100 : Number(r.value) }));
  }
}
