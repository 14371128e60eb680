import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import { snapshotKey } from '@caravan/contract';
import { computeSnapshotSet, IncrementalSnapshots } from '@caravan/publisher';

export type SnapshotComputeFigures = {
  snapshots: number;
  /** Median ms of a computation reading every window from the daily tables (what every run did before issue 18). */
  fullMs: number;
  /** Median ms of a run of the kept day sums after the projector wrote the watermark's day of every table. */
  keptMs: number;
  /** Days read again per kept run. */
  daysRead: number;
  /** Both gave the same snapshots, value for value. */
  equal: boolean;
};

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/**
 * The publisher's computation side by side on the store the run left (the apps stopped): every
 * window read from the daily tables, against the day sums kept between runs after the projector
 * wrote the watermark's day of each table (what a run reads under live traffic: the day being
 * written), `rounds` times each. The hand-off is marked by hand, the tables untouched.
 */
export async function measureSnapshotCompute(
  pool: Pool,
  timeZone: string,
  rounds = 15,
): Promise<SnapshotComputeFigures> {
  const at = new Date();
  const kept = new IncrementalSnapshots(pool, timeZone, Number.POSITIVE_INFINITY);
  await kept.compute(at);
  const full: number[] = [];
  const incremental: number[] = [];
  let daysRead = 0;
  let equal = true;
  for (let i = 0; i < rounds; i++) {
    let started = performance.now();
    const reference = await computeSnapshotSet(pool, timeZone, at);
    full.push(performance.now() - started);
    await pool.query(
      `UPDATE aggregate_days_changed SET position = position + 1
       WHERE day = (SELECT (max_occurred_at AT TIME ZONE $1)::date FROM event_watermark)`,
      [timeZone],
    );
    started = performance.now();
    const set = await kept.compute(at);
    incremental.push(performance.now() - started);
    daysRead = kept.run.daysRead;
    const byKey = new Map(reference.snapshots.map((s) => [snapshotKey(s.kpi, s.window, s.scope), JSON.stringify(s)]));
    equal &&=
      set.snapshots.length === reference.snapshots.length &&
      set.snapshots.every((s) => byKey.get(snapshotKey(s.kpi, s.window, s.scope)) === JSON.stringify(s));
  }
  const { snapshots } = await computeSnapshotSet(pool, timeZone, at);
  return { snapshots: snapshots.length, fullMs: median(full), keptMs: median(incremental), daysRead, equal };
}
