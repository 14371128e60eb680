/**
 * Caravan from empty, as processes: ingestor, projector and publisher started on a fresh database,
 * timed until the records are ingested, projected, and reflected by a published snapshot; then
 * checked against plain SQL over the event store.
 */
import { isDeepStrictEqual } from 'node:util';
import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import type { CaravanConfig } from '@caravan/config';
import { PROJECTION_NAMES } from '@caravan/contract';
import { ingestTotals } from '@caravan/observability';
import { expectedFromEvents, projected } from '@caravan/simulator';
import { type ChildApp, spawnApp, stopApp, waitFor } from '@caravan/stack';
import {
  cpuSeconds,
  cpuSecondsOfAll,
  peakRssMb,
  type PostgresProcesses,
  postgresCpuByWho,
  postgresProcesses,
} from './process-stats';
import type { Workload } from './workload';

export type AppFigures = { app: string; cpuSeconds: number; peakRssMb: number };
export type Check = { name: string; ok: boolean; detail: string };
export type CaravanRun = {
  ingestSeconds: number;
  steadyIngestPerSecond: number;
  projectedSeconds: number;
  snapshotSeconds: number;
  apps: AppFigures[];
  /** CPU seconds PostgreSQL (all its processes) and the Kafka broker used from the apps' start to the snapshot. */
  services: {
    postgresCpuSeconds: number;
    /** PostgreSQL's CPU by whose: each app's sessions, each kind of server process (postgresCpuByWho). */
    postgresByWho: Record<string, number>;
    /** WAL written and checkpoints PostgreSQL ran meanwhile (server-wide: whatever else ran counts too). */
    postgresWal: PostgresWal;
    kafkaCpuSeconds: number;
    wallSeconds: number;
  };
  checks: Check[];
};

export function pipelineEnv(
  config: CaravanConfig,
  databaseUrl: string,
  workload: Workload,
  group: string,
  extra: Record<string, string> = {},
): Record<string, string> {
  const t = workload.topics;
  return {
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: config.kafka.brokers.join(','),
    TOPIC_BOOKINGS: t.bookings,
    TOPIC_ARRIVALS: t.arrivals,
    TOPIC_MEDIA: t.media,
    TOPIC_DLQ: t.dlq,
    TOPIC_SNAPSHOTS: t.snapshots,
    INGEST_GROUP_ID: group,
    TOPIC_PARTITIONS: '6',
    HTTP_PORT: '0',
    LOG_LEVEL: 'warn',
    TIME_ZONE: config.timeZone,
    // CARAVAN_APP_ENV="INGEST_CONCURRENCY=6 PROJECTOR_BATCH_SIZE=2000": settings to try on the apps.
    ...Object.fromEntries(
      (process.env.CARAVAN_APP_ENV ?? '')
        .split(/\s+/)
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    ),
    ...extra,
  };
}

export const consumedSoFar = async (pool: Pool, group: string): Promise<number> =>
  (await ingestTotals(pool, group)).reduce((n, t) => n + t.consumed, 0);

async function maxEventPosition(pool: Pool): Promise<number> {
  return Number(
    (await pool.query<{ p: string }>('SELECT coalesce(max(position), 0)::text AS p FROM events')).rows[0]?.p ?? 0,
  );
}

async function projectedUpTo(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ name: string; p: string }>(
    'SELECT name, position::text AS p FROM projection_checkpoints WHERE name = ANY($1)',
    [PROJECTION_NAMES],
  );
  return rows.length < PROJECTION_NAMES.length ? 0 : Math.min(...rows.map((r) => Number(r.p)));
}

async function snapshotPosition(pool: Pool): Promise<number> {
  return Number(
    (await pool.query<{ p: string }>('SELECT coalesce(max(position), 0)::text AS p FROM kpi_latest')).rows[0]?.p ?? 0,
  );
}

/** Polls `probe` every 20 ms until it holds, and resolves when; fails after `timeoutMs` or when an app died. */
async function until(
  probe: () => Promise<boolean>,
  apps: ChildApp[],
  what: string,
  timeoutMs = 1_200_000,
): Promise<number> {
  const outcome = await waitFor(
    async () => ((await probe()) ? 'reached' : apps.find((a) => a.process.exitCode !== null)),
    { timeoutMs, intervalMs: 20, what },
  );
  if (outcome !== 'reached') throw new Error(`${what}: an app exited early (log ${outcome.logFile})`);
  return performance.now();
}

export async function runCaravan(
  config: CaravanConfig,
  pool: Pool,
  databaseUrl: string,
  workload: Workload,
  log: (line: string) => void,
): Promise<{ run: CaravanRun; apps: ChildApp[]; env: Record<string, string> }> {
  const group = `${workload.id}-caravan`;
  const env = pipelineEnv(config, databaseUrl, workload, group);
  const started = performance.now();
  const servicesAtStart = {
    wal: await walState(pool),
    postgres: cpuSecondsOfAll('postgres'),
    postgresProcesses: await postgresProcesses(pool),
    kafka: cpuSecondsOfAll('java'),
  };
  const apps = (['ingestor', 'projector', 'publisher'] as const).map((app) => spawnApp(app, env));
  try {
    return { run: await timeRun(config, pool, workload, apps, group, started, servicesAtStart, log), apps, env };
  } catch (error) {
    await stopApps(apps);
    throw error;
  }
}

async function timeRun(
  config: CaravanConfig,
  pool: Pool,
  workload: Workload,
  apps: ChildApp[],
  group: string,
  started: number,
  servicesAtStart: { wal: WalState; postgres: number; postgresProcesses: PostgresProcesses; kafka: number },
  log: (line: string) => void,
): Promise<CaravanRun> {
  let first: { at: number; consumed: number } | undefined;
  const ingested = await until(
    async () => {
      const consumed = await consumedSoFar(pool, group);
      if (consumed > 0 && !first) first = { at: performance.now(), consumed };
      return consumed >= workload.records;
    },
    apps,
    'ingest',
  );
  log(`  ingested ${workload.records} records in ${((ingested - started) / 1000).toFixed(1)} s`);
  const last = await maxEventPosition(pool);
  const projectedAt = await until(async () => (await projectedUpTo(pool)) >= last, apps, 'projection');
  const snapshotAt = await until(async () => (await snapshotPosition(pool)) >= last, apps, 'snapshot');
  const postgresCpuSeconds = cpuSecondsOfAll('postgres') - servicesAtStart.postgres;
  const services = {
    postgresCpuSeconds,
    postgresByWho: postgresCpuByWho(
      servicesAtStart.postgresProcesses,
      await postgresProcesses(pool),
      postgresCpuSeconds,
    ),
    postgresWal: walSince(servicesAtStart.wal, await walState(pool)),
    kafkaCpuSeconds: cpuSecondsOfAll('java') - servicesAtStart.kafka,
    wallSeconds: (snapshotAt - started) / 1000,
  };
  const figures = apps.map((a, i) => ({
    app: ['ingestor', 'projector', 'publisher'][i] as string,
    cpuSeconds: cpuSeconds(a.process.pid ?? 0),
    peakRssMb: peakRssMb(a.process.pid ?? 0),
  }));
  const steady =
    first && ingested > first.at ? (workload.records - first.consumed) / ((ingested - first.at) / 1000) : 0;
  return {
    ingestSeconds: (ingested - started) / 1000,
    steadyIngestPerSecond: steady,
    projectedSeconds: (projectedAt - started) / 1000,
    snapshotSeconds: (snapshotAt - started) / 1000,
    apps: figures,
    services,
    checks: await checkAgainstSql(pool, config, group, workload),
  };
}

/** A fast wrong pipeline is not a result: the counts add up and the aggregates and a KPI equal SQL over the events. */
export async function checkAgainstSql(
  pool: Pool,
  config: CaravanConfig,
  group: string,
  workload: Workload,
): Promise<Check[]> {
  const totals = (await ingestTotals(pool, group)).reduce(
    (a, t) => ({
      consumed: a.consumed + t.consumed,
      accepted: a.accepted + t.accepted,
      duplicate: a.duplicate + t.duplicate,
      rejected: a.rejected + t.rejected,
    }),
    { consumed: 0, accepted: 0, duplicate: 0, rejected: 0 },
  );
  const e = workload.expected;
  // A copy written by a producer retry (records on the topics beyond those generated) is a
  // duplicate when its original was accepted and rejected again when it was invalid.
  const extra = workload.records - (e.accepted + e.duplicate + e.rejected);
  const countsOk =
    totals.consumed === workload.records &&
    totals.consumed === totals.accepted + totals.duplicate + totals.rejected &&
    totals.accepted === e.accepted &&
    totals.rejected >= e.rejected &&
    totals.duplicate >= e.duplicate &&
    totals.duplicate + totals.rejected === e.duplicate + e.rejected + extra;
  const [sql, tables] = await Promise.all([expectedFromEvents(pool, config.timeZone), projected(pool)]);
  const aggregatesOk = isDeepStrictEqual(sql, tables);
  const snapshot = (
    await pool.query<{ s: { value: number; from: string; asOf: string } }>(
      `SELECT snapshot AS s FROM kpi_latest WHERE key = 'arrivals|ytd|*'`,
    )
  ).rows[0]?.s;
  const truth = snapshot
    ? Number(
        (
          await pool.query<{ n: string }>(
            `SELECT coalesce(sum((data->>'travelers')::bigint), 0)::text AS n FROM events
         WHERE type = 'ArrivalRecorded' AND (occurred_at AT TIME ZONE $1)::date BETWEEN $2::date AND $3::date`,
            [config.timeZone, snapshot.from.slice(0, 10), snapshot.asOf.slice(0, 10)],
          )
        ).rows[0]?.n,
      )
    : -1;
  return [
    {
      name: 'consumed = accepted + duplicate + rejected, as generated',
      ok: countsOk,
      detail:
        `${JSON.stringify(totals)}; generated ` +
        `${JSON.stringify({ accepted: e.accepted, duplicate: e.duplicate, rejected: e.rejected })}, ` +
        `on the topics ${workload.records}`,
    },
    {
      name: 'aggregates equal plain SQL over the event store',
      ok: aggregatesOk,
      detail: `${sql.arrivals.length + sql.bookings.length + sql.media.length} rows compared`,
    },
    {
      name: 'arrivals ytd snapshot equals SQL over the events',
      ok: snapshot?.value === truth,
      detail: `snapshot ${snapshot?.value}, SQL ${truth}`,
    },
  ];
}

export async function stopApps(apps: ChildApp[]): Promise<void> {
  await Promise.all(apps.map((a) => stopApp(a)));
}

type WalState = { lsn: string; timed: number; requested: number; backendWrites: number };
export type PostgresWal = {
  bytes: number;
  checkpointsTimed: number;
  checkpointsRequested: number;
  backendWrites: number;
};

async function walState(pool: Pool): Promise<WalState> {
  const { rows } = await pool.query<{ lsn: string; timed: string; req: string; backend: string }>(
    `SELECT pg_current_wal_lsn()::text AS lsn, checkpoints_timed::text AS timed, checkpoints_req::text AS req,
            buffers_backend::text AS backend FROM pg_stat_bgwriter`,
  );
  const r = rows[0] as { lsn: string; timed: string; req: string; backend: string };
  return { lsn: r.lsn, timed: Number(r.timed), requested: Number(r.req), backendWrites: Number(r.backend) };
}

/** An LSN (hi/lo in hex) as a byte offset. */
const lsnBytes = (lsn: string): number => {
  const [hi, lo] = lsn.split('/') as [string, string];
  return Number.parseInt(hi, 16) * 2 ** 32 + Number.parseInt(lo, 16);
};

function walSince(before: WalState, after: WalState): PostgresWal {
  return {
    bytes: lsnBytes(after.lsn) - lsnBytes(before.lsn),
    checkpointsTimed: after.timed - before.timed,
    checkpointsRequested: after.requested - before.requested,
    backendWrites: after.backendWrites - before.backendWrites,
  };
}
