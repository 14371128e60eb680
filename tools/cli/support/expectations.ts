import type { Pool } from 'pg';
import { RateTable } from '@caravan/domain';
import { loadRates } from '@caravan/projections';
import { ARTICLE_TARGETS, DEFAULT_RATES } from '@caravan/simulator';

export type Targets = Array<{ kpi: string; scopeKey: string; year: number; target: number }>;

/** The rates and targets the pipeline will use: the database's, or the shipped defaults without one. */
export async function ratesAndTargets(
  pool: Pool | undefined,
): Promise<{ rates: RateTable; targets: Targets; source: string }> {
  if (!pool)
    return {
      rates: new RateTable(DEFAULT_RATES),
      targets: [...ARTICLE_TARGETS],
      source: 'the shipped default rates and targets',
    };
  const rates = await loadRates(pool);
  const { rows } = await pool.query<{ kpi: string; scope_key: string; year: number; target: string }>(
    'SELECT kpi, scope_key, year, target::text FROM kpi_targets',
  );
  return {
    rates,
    targets: rows.map((r) => ({ kpi: r.kpi, scopeKey: r.scope_key, year: r.year, target: Number(r.target) })),
    source: 'the rates and targets in PostgreSQL',
  };
}
