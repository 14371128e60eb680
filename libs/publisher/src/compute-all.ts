import type { Pool } from 'pg';
import type { KpiSnapshot } from '@caravan/contract';
import { windowsAt } from '@caravan/domain';
import { buildSnapshots, type Targets, targetKey } from './build-snapshots';
import { KPI_FAMILIES } from './kpi-families';
import { readDestinationRank, readFamily } from './read-kpis';

const PROJECTIONS_READ = ['arrivals_daily', 'bookings', 'media_daily', 'watermark'];

/**
 * The event-store position the aggregates reflect: the lowest, over the projections read, of the
 * highest position each has applied (so it never decreases).
 */
export async function reflectedPosition(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ position: string | null; n: string }>(
    `SELECT min(max_position)::text AS position, count(*)::text AS n FROM projection_checkpoints WHERE name = ANY($1)`,
    [PROJECTIONS_READ],
  );
  return Number(rows[0]?.n) === PROJECTIONS_READ.length ? Number(rows[0]?.position ?? 0) : 0;
}

export async function readTargets(pool: Pool): Promise<Targets> {
  const { rows } = await pool.query<{ kpi: string; scope_key: string; year: number; target: string }>(
    'SELECT kpi, scope_key, year, target::text FROM kpi_targets',
  );
  const targets: Targets = new Map();
  for (const r of rows) {
    const scope = r.scope_key === '*' ? {} : Object.fromEntries(r.scope_key.split(',').map((kv) => kv.split('=') as [string, string]));
    targets.set(targetKey(r.kpi, scope, r.year), Number(r.target));
  }
  return targets;
}

/** Every snapshot at the current watermark, from the aggregates; none before the first event. */
export async function computeSnapshots(pool: Pool, timeZone: string, computedAt = new Date()): Promise<KpiSnapshot[]> {
  const mark = await pool.query<{ max_occurred_at: Date }>('SELECT max_occurred_at FROM event_watermark').catch(() => ({ rows: [] }));
  const watermark = mark.rows[0]?.max_occurred_at;
  if (!watermark) return [];
  const [position, targets] = await Promise.all([reflectedPosition(pool), readTargets(pool)]);
  const snapshots: KpiSnapshot[] = [];
  for (const window of windowsAt(watermark.getTime(), timeZone)) {
    const values = (await Promise.all(KPI_FAMILIES.map((f) => readFamily(pool, f, window)))).flat();
    const ranks = await readDestinationRank(pool, window);
    snapshots.push(...buildSnapshots(values, ranks, { window, watermarkMs: watermark.getTime(), timeZone, position, computedAt, targets }));
  }
  return snapshots;
}
