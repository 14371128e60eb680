import type { Pool, PoolClient } from 'pg';
import { type KpiSnapshot, PROJECTION_NAMES, scopeOfKey } from '@caravan/contract';
import { withTransaction } from '@caravan/database';
import { type Position, readCheckpoints, START_OF_STORE } from '@caravan/event-store';
import { windowsAt } from '@caravan/domain';
import { buildSnapshots, type Targets, targetKey } from './build-snapshots';
import { KPI_FAMILIES } from './kpi-families';
import { type KpiValue, readDestinationRank, readFamily } from './read-kpis';

const TABLES_READ = ['event_watermark', ...new Set(KPI_FAMILIES.map((f) => f.table)), 'bookings_daily'];

export type Reflected = {
  /** The lowest of the projections' checkpoints: every event up to it is in every aggregate read (never decreases). */
  position: Position;
  /** Every projection read has applied exactly up to `position`: the aggregates reflect it and nothing more. */
  level: boolean;
};

/** The event-store position the aggregates reflect (read in the same snapshot as the aggregates). */
export async function reflectedPosition(db: Pool | PoolClient): Promise<Reflected> {
  const checkpoints = [...(await readCheckpoints(db, PROJECTION_NAMES)).values()];
  if (checkpoints.length !== PROJECTION_NAMES.length) return { position: START_OF_STORE, level: false };
  const low = Math.min(...checkpoints);
  return { position: low, level: low === Math.max(...checkpoints) };
}

export async function readTargets(db: Pool | PoolClient): Promise<Targets> {
  const { rows } = await db.query<{ kpi: string; scope_key: string; year: number; target: string }>(
    'SELECT kpi, scope_key, year, target::text FROM kpi_targets',
  );
  const targets: Targets = new Map();
  for (const r of rows) targets.set(targetKey(r.kpi, scopeOfKey(r.scope_key), r.year), Number(r.target));
  return targets;
}

export type SnapshotSet = { snapshots: KpiSnapshot[] } & Reflected;

/**
 * Every snapshot at the current watermark, from the aggregates; none before the first event. All
 * is read in one REPEATABLE READ snapshot: each projection writes its rows and its checkpoint in
 * one transaction, so the values and the position read belong together.
 */
export function computeSnapshotSet(pool: Pool, timeZone: string, computedAt = new Date()): Promise<SnapshotSet> {
  return withTransaction(
    pool,
    (client) => computeIn(client, timeZone, computedAt),
    'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
  );
}

async function computeIn(client: PoolClient, timeZone: string, computedAt: Date): Promise<SnapshotSet> {
  const reflected = await reflectedPosition(client);
  // The projector creates its tables when it first runs: nothing to read before that.
  const { rows: present } = await client.query<{ all: boolean }>(
    `SELECT bool_and(to_regclass(t) IS NOT NULL) AS all FROM unnest($1::text[]) AS t`,
    [TABLES_READ],
  );
  if (!present[0]?.all) return { snapshots: [], ...reflected };
  const mark = await client.query<{ max_occurred_at: Date }>('SELECT max_occurred_at FROM event_watermark');
  const watermark = mark.rows[0]?.max_occurred_at;
  if (!watermark) return { snapshots: [], ...reflected };
  const targets = await readTargets(client);
  const snapshots: KpiSnapshot[] = [];
  for (const window of windowsAt(watermark.getTime(), timeZone)) {
    const values: KpiValue[] = [];
    for (const family of KPI_FAMILIES) values.push(...(await readFamily(client, family, window)));
    const ranks = await readDestinationRank(client, window);
    snapshots.push(
      ...buildSnapshots(values, ranks, {
        window,
        watermarkMs: watermark.getTime(),
        timeZone,
        position: reflected.position,
        computedAt,
        targets,
      }),
    );
  }
  return { snapshots, ...reflected };
}
