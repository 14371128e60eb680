import type { Pool, PoolClient } from 'pg';
import { performance } from 'node:perf_hooks';
import { type KpiSnapshot, PROJECTION_NAMES, scopeKey, scopeOfKey } from '@caravan/contract';
import { withTransaction } from '@caravan/database';
import { type Position, readCheckpoints, START_OF_STORE } from '@caravan/event-store';
import { type KpiWindow, windowsAt } from '@caravan/domain';
import { buildSnapshots, type Targets, targetKey } from './build-snapshots';
import { KPI_FAMILIES } from './kpi-families';
import { DaySums, type DaySumsRun, type WindowValues } from './day-sums';
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

/** Every window's values read over the daily tables (the reference the kept day sums are checked against). */
export type ValuesOf = (client: PoolClient, windows: KpiWindow[]) => Promise<WindowValues[]>;

export const readAllValues: ValuesOf = async (client, windows) => {
  const all: WindowValues[] = [];
  for (const window of windows) {
    const values: KpiValue[] = [];
    for (const family of KPI_FAMILIES) values.push(...(await readFamily(client, family, window)));
    all.push({ window, values, ranks: await readDestinationRank(client, window) });
  }
  return all;
};

/**
 * Every snapshot at the current watermark, from the aggregates; none before the first event. All
 * is read in one REPEATABLE READ snapshot: each projection writes its rows and its checkpoint in
 * one transaction, so the values and the position read belong together.
 */
export function computeSnapshotSet(
  pool: Pool,
  timeZone: string,
  computedAt = new Date(),
  valuesOf: ValuesOf = readAllValues,
): Promise<SnapshotSet> {
  return withTransaction(
    pool,
    (client) => computeIn(client, timeZone, computedAt, valuesOf),
    'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
  );
}

/** What a run of IncrementalSnapshots did besides computing. */
export type IncrementalRun = DaySumsRun & {
  /** The kept sums were compared with the tables' in this run. */
  verified: boolean;
  /** Values on which they differed (then the tables' were used and the sums started over); empty when equal. */
  drift: string[];
};

/**
 * computeSnapshotSet from day sums kept between runs (DaySums): a run reads only the days written
 * since the last. Every `verifyEveryMs` a run also reads every window from the tables, as
 * computeSnapshotSet does, and compares: a difference (a writer of the daily tables that left
 * no hand-off, say a projector of an older version) is reported as drift, the tables' values are
 * used and the sums start over.
 */
export class IncrementalSnapshots {
  private readonly sums = new DaySums();
  private verifiedAt: number | undefined;
  private lastRun: IncrementalRun = { daysRead: 0, reloaded: [], verified: false, drift: [] };

  constructor(
    private readonly pool: Pool,
    private readonly timeZone: string,
    private readonly verifyEveryMs = 60_000,
  ) {}

  /** Forgets the kept sums (a new leadership); the next run reads every day it needs. */
  reset(): void {
    this.sums.reset();
  }

  /** What the last compute did. */
  get run(): IncrementalRun {
    return this.lastRun;
  }

  compute(computedAt = new Date()): Promise<SnapshotSet> {
    this.lastRun = { daysRead: 0, reloaded: [], verified: false, drift: [] };
    return computeSnapshotSet(this.pool, this.timeZone, computedAt, async (client, windows) => {
      // A run that fails part way (PostgreSQL gone, a statement timeout) may leave the sums moved
      // for some days and not others: they start over.
      const { values, run } = await this.sums.update(client, windows).catch((error: unknown) => {
        this.sums.reset();
        throw error;
      });
      this.lastRun = { ...run, verified: false, drift: [] };
      // The first run checks too (Infinity: never, for tests of the sums alone).
      const due =
        Number.isFinite(this.verifyEveryMs) &&
        (this.verifiedAt === undefined || performance.now() - this.verifiedAt >= this.verifyEveryMs);
      if (!due) return values;
      this.verifiedAt = performance.now();
      const truth = await readAllValues(client, windows);
      const drift = differences(values, truth);
      this.lastRun = { ...run, verified: true, drift };
      if (drift.length === 0) return values;
      this.sums.reset();
      return truth;
    });
  }
}

/** The values (kpi, window, scope) on which two computations differ, in order. */
export function differences(a: readonly WindowValues[], b: readonly WindowValues[]): string[] {
  const lines = (set: readonly WindowValues[]): Map<string, string> => {
    const out = new Map<string, string>();
    for (const { window, values, ranks } of set) {
      for (const v of values)
        out.set(`${v.kpi}|${window.name}|${scopeKey(v.scope)}`, JSON.stringify([v.value, v.previous]));
      for (const r of ranks)
        out.set(`destination_rank|${window.name}|${scopeKey(r.scope)}`, JSON.stringify([r.value, r.previous]));
    }
    return out;
  };
  const left = lines(a);
  const right = lines(b);
  const keys = [...new Set([...left.keys(), ...right.keys()])].sort();
  return keys
    .filter((k) => left.get(k) !== right.get(k))
    .map((k) => `${k}: ${left.get(k) ?? 'absent'} against ${right.get(k) ?? 'absent'}`);
}

async function computeIn(
  client: PoolClient,
  timeZone: string,
  computedAt: Date,
  valuesOf: ValuesOf,
): Promise<SnapshotSet> {
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
  for (const { window, values, ranks } of await valuesOf(client, windowsAt(watermark.getTime(), timeZone))) {
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
