/** Rebuilding every projection from the event store, and ingest with one vs two instances in one group. */
import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import type { CaravanConfig } from '@caravan/config';
import { PROJECTIONS, rebuildProjection } from '@caravan/projections';
import { spawnApp, stopApp } from '@caravan/stack';
import { consumedSoFar, pipelineEnv } from './caravan-run';
import type { Workload } from './workload';

export type RebuildFigures = {
  events: number;
  seconds: number;
  perProjection: Array<{ name: string; eventsPerSecond: number; differingRows: number }>;
};

export async function rebuildAll(pool: Pool, config: CaravanConfig): Promise<RebuildFigures> {
  const events = Number((await pool.query<{ n: string }>('SELECT count(*)::text AS n FROM events')).rows[0]?.n);
  const perProjection: RebuildFigures['perProjection'] = [];
  const started = performance.now();
  for (const projection of PROJECTIONS) {
    const t0 = performance.now();
    const report = await rebuildProjection(pool, projection, {
      timeZone: config.timeZone,
      batchSize: config.projector.batchSize,
    });
    perProjection.push({
      name: projection.name,
      eventsPerSecond: report.eventsReplayed / ((performance.now() - t0) / 1000),
      differingRows: report.differences.reduce((n, d) => n + d.differingRows, 0),
    });
  }
  return { events, seconds: (performance.now() - started) / 1000, perProjection };
}

/** Ingest only (no projector), `instances` ingestor processes in one consumer group, on a fresh database. */
export async function ingestWith(
  instances: number,
  config: CaravanConfig,
  pool: Pool,
  databaseUrl: string,
  workload: Workload,
): Promise<{ seconds: number; perSecond: number }> {
  const group = `${workload.id}-scale-${instances}`;
  const env = pipelineEnv(config, databaseUrl, workload, group);
  const started = performance.now();
  const apps = Array.from({ length: instances }, () => spawnApp('ingestor', env));
  try {
    const deadline = Date.now() + 1_200_000;
    while ((await consumedSoFar(pool, group)) < workload.records) {
      if (Date.now() > deadline) throw new Error(`${instances} ingestors: not done within 1200 s`);
      const dead = apps.find((a) => a.process.exitCode !== null);
      if (dead) throw new Error(`an ingestor exited early (log ${dead.logFile})`);
      await new Promise((r) => setTimeout(r, 20));
    }
    const seconds = (performance.now() - started) / 1000;
    return { seconds, perSecond: workload.records / seconds };
  } finally {
    await Promise.all(apps.map((a) => stopApp(a)));
  }
}
