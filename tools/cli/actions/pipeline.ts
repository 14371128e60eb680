import { APP_NAMES } from '@caravan/config';
import { createPool } from '@caravan/database';
import { appendOnlyFindings, listSetAside } from '@caravan/event-store';
import { partitionOffsets } from '@caravan/ingest';
import { createKafka, kafkaConnection } from '@caravan/kafka';
import { ingestTotals, readPipelineStatus } from '@caravan/observability';
import {
  describeStatus,
  recordedApp,
  runningSupervisor,
  type SupervisedApp,
  stackDown,
  stackIsUp,
  stackStatus,
  stopRecordedApp,
  stopSupervisor,
} from '@caravan/stack';
import type { StatusOptions, UpOptions } from '../commands/pipeline';
import { cliContext } from '../support/context';
import { appUrl, startPipeline } from '../support/pipeline-apps';

/** `caravan up`: the stack and the four apps under a detached supervisor. */
export async function up(options: UpOptions): Promise<void> {
  const { config, root, log } = cliContext();
  const { apps } = await startPipeline(config, {
    root,
    detached: true,
    portBase: options.portBase,
    build: options.build,
    env: process.env,
    log,
  });
  for (const app of apps)
    log(`${app.app.padEnd(9)} ready at ${appUrl(config, app.port)} (pid ${app.pid}, log ${app.logFile})`);
  log(
    `API ${appUrl(config, options.portBase)}/v1/kpis, ` +
      `docs ${appUrl(config, options.portBase)}/docs; \`npx caravan status\` to watch, \`npx caravan down\` to stop`,
  );
}

/** `caravan down`. */
export async function down(): Promise<void> {
  const { config, log } = cliContext();
  if (await stopSupervisor(config.stack.stateDir)) log('supervisor and its apps stopped');
  // Apps of an earlier `up` without a supervisor, or left behind by one that was killed.
  for (const app of APP_NAMES) {
    const stopped = await stopRecordedApp(config.stack.stateDir, app);
    if (stopped) log(`${app.padEnd(9)} stopped`);
  }
  await stackDown(config, log);
}

/** `caravan status` (exit 3 when a part is down or a partition paused). */
export async function status(options: StatusOptions): Promise<void> {
  const { config, log } = cliContext();
  const report = await statusReport(config);
  if (options.json) process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  else describeReport(report).forEach(log);
  if (!report.healthy) process.exitCode = 3;
}

type AppReport = {
  app: string;
  state: 'stopped' | 'ready' | 'unready';
  pid?: number;
  url?: string;
  /** The readiness checks that fail, `name: detail`. */
  failing?: string[];
  restarts?: number;
  lastExit?: { code: number | null; signal: string | null; at: string };
  consumerLagRecords?: number;
  projectionLagEvents?: Record<string, number>;
};
type StoreReport = {
  topics: Awaited<ReturnType<typeof ingestTotals>>;
  pausedPartitions: Array<{ topic: string; partition: number; stored: string; logEnd: string }>;
  dlq: { pending: number; refused: number } | null;
  setAside: {
    total: number;
    latest: Array<{ projection: string; position: string; eventType: string; eventId: string; error: string }>;
  };
  /** How the event store's owner, grants and triggers differ from the shipped ones ([]: as shipped; null: unread). */
  appendOnly: string[] | null;
  /** Records not ingested yet (undefined when Kafka did not answer), events each projection has not applied. */
  lag: { consumerRecords: number | undefined; projectionEvents: Record<string, number> } | null;
};
/** What `caravan status` finds, whether printed as lines or as JSON. */
export type StatusReport = {
  healthy: boolean;
  stack: Awaited<ReturnType<typeof stackStatus>>;
  supervisor: { pid: number; startedAt: string } | null;
  apps: AppReport[];
  store: StoreReport | null;
};

async function statusReport(config: ReturnType<typeof cliContext>['config']): Promise<StatusReport> {
  const stack = await stackStatus(config);
  let healthy = stackIsUp(stack);
  const supervisor = runningSupervisor(config.stack.stateDir);
  const apps: AppReport[] = [];
  for (const app of APP_NAMES) {
    const record = recordedApp(config.stack.stateDir, app) as
      (ReturnType<typeof recordedApp> & Partial<SupervisedApp>) | undefined;
    if (!record) {
      healthy = false;
      apps.push({ app, state: 'stopped' });
      continue;
    }
    const url = appUrl(config, record.port);
    const ready = await fetch(`${url}/health/ready`, { signal: AbortSignal.timeout(3_000) }).catch(() => undefined);
    const body = ready
      ? ((await ready.json().catch(() => ({}))) as {
          status?: string;
          details?: Record<string, { status: string; detail?: string }>;
        })
      : {};
    const failing = Object.entries(body.details ?? {})
      .filter(([, c]) => c.status !== 'up')
      .map(([n, c]) => `${n}: ${c.detail ?? 'down'}`);
    if (ready?.status !== 200 && failing.length === 0) failing.push(ready ? `HTTP ${ready.status}` : 'no answer');
    healthy &&= ready?.status === 200;
    apps.push({
      app,
      state: ready?.status === 200 ? 'ready' : 'unready',
      pid: record.pid,
      url,
      failing,
      ...(record.restarts ? { restarts: record.restarts, lastExit: record.lastExit as AppReport['lastExit'] } : {}),
    });
  }
  let store: StoreReport | null = null;
  if (stack.postgres.state === 'running') {
    store = await storeReport(config, stack.kafka.state !== 'stopped');
    healthy &&= store.pausedPartitions.length === 0 && (store.appendOnly?.length ?? 0) === 0;
    // The lags are the pipeline's (PostgreSQL and Kafka say them), shown beside the app that works them off.
    for (const a of apps) {
      if (a.state === 'stopped') continue;
      if (a.app === 'ingestor' && store.lag?.consumerRecords !== undefined)
        a.consumerLagRecords = store.lag.consumerRecords;
      if (a.app === 'projector' && store.lag) a.projectionLagEvents = store.lag.projectionEvents;
    }
  }
  return {
    healthy,
    stack,
    supervisor: supervisor ? { pid: supervisor.pid, startedAt: supervisor.startedAt } : null,
    apps,
    store,
  };
}

function describeReport(report: StatusReport): string[] {
  const lines = describeStatus(report.stack);
  lines.push(
    report.supervisor
      ? `supervisor pid ${report.supervisor.pid} since ${report.supervisor.startedAt}: restarts an app that exits`
      : 'supervisor not running (apps that exit stay down)',
  );
  for (const a of report.apps) {
    if (a.state === 'stopped') {
      lines.push(`${a.app.padEnd(9)} stopped${report.supervisor ? ' (the supervisor restarts it)' : ''}`);
      continue;
    }
    const restarts = a.restarts
      ? `, restarted ${a.restarts}x (last exit ${a.lastExit?.signal ?? `code ${a.lastExit?.code}`} ` +
        `at ${a.lastExit?.at})`
      : '';
    const lag =
      a.consumerLagRecords !== undefined
        ? `, consumer lag ${a.consumerLagRecords} records`
        : a.projectionLagEvents !== undefined
          ? `, projection lag ${
              Object.entries(a.projectionLagEvents)
                .map(([p, n]) => `${p} ${n}`)
                .join(', ') || 'n/a'
            } events`
          : '';
    lines.push(
      `${a.app.padEnd(9)} pid ${a.pid} ${a.url} ` +
        `${a.state === 'ready' ? 'ready' : `UNREADY ${(a.failing ?? []).join('; ')}`}${lag}${restarts}`,
    );
  }
  const store = report.store;
  if (!store) return lines;
  for (const t of store.topics) {
    const codes = Object.entries(t.rejectedByCode)
      .map(([code, n]) => `${code} ${n}`)
      .join(', ');
    lines.push(
      `${t.topic}: consumed ${t.consumed} = accepted ${t.accepted} + duplicate ${t.duplicate} + ` +
        `rejected ${t.rejected}${codes ? ` (${codes})` : ''}`,
    );
  }
  if (store.appendOnly)
    lines.push(
      store.appendOnly.length === 0
        ? 'event store: append-only as shipped (owner, grants, triggers)'
        : `event store NOT as shipped: ${store.appendOnly.join('; ')} (docs/security.md)`,
    );
  for (const s of store.pausedPartitions) {
    lines.push(
      `${s.topic}[${s.partition}] PAUSED: stored offset ${s.stored} lies beyond the log's ` +
        `end ${s.logEnd} (topic re-created or log truncated); accept the new log: npx caravan ` +
        `offsets reset ${s.topic} ${s.partition} --to earliest --yes`,
    );
  }
  if (store.dlq && store.dlq.pending > 0)
    lines.push(`${store.dlq.pending} rejection(s) not on the DLQ topic yet (the ingestor's relay publishes them)`);
  if (store.dlq && store.dlq.refused > 0)
    lines.push(
      `${store.dlq.refused} rejection(s) refused by the DLQ topic even alone, kept in PostgreSQL: ` +
        `npx caravan dlq list --dlq refused`,
    );
  if (store.setAside.total > 0) {
    lines.push(
      `${store.setAside.total} event(s) set aside by the projections (could not be applied; \`npx ` +
        `caravan rebuild <projection>\` applies them again once the cause is fixed), latest:`,
    );
    for (const e of store.setAside.latest)
      lines.push(`  ${e.projection} position ${e.position} ${e.eventType} ${e.eventId}: ${e.error.slice(0, 160)}`);
  }
  return lines;
}

/**
 * What PostgreSQL (and Kafka's logs) say: the counters, partitions whose stored offset lies beyond
 * their log (paused by the ingestor), dead letters not published, events the projections set aside.
 */
async function storeReport(config: ReturnType<typeof cliContext>['config'], kafkaUp: boolean): Promise<StoreReport> {
  const pool = createPool({
    url: config.database.url,
    poolSize: 1,
    applicationName: 'caravan-status',
    limits: config.database.limits,
  });
  try {
    const topics = await ingestTotals(pool, config.ingest.groupId).catch(() => []);
    const pausedPartitions: StoreReport['pausedPartitions'] = [];
    if (kafkaUp) {
      const admin = createKafka({
        ...kafkaConnection(config.kafka),
        clientId: `${config.kafka.clientId}-status`,
        retries: 1,
        quiet: true,
      }).admin();
      try {
        await admin.connect();
        const t = config.topics;
        for (const s of await partitionOffsets(pool, admin, config.ingest.groupId, [t.bookings, t.arrivals, t.media])) {
          if (s.state === 'beyond-log-end')
            pausedPartitions.push({
              topic: s.topic,
              partition: s.partition,
              stored: String(s.stored),
              logEnd: String(s.logEnd),
            });
        }
      } catch {
        // Kafka went away meanwhile: the stack line says so.
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    }
    const dlq = await pool
      .query<{ pending: number; refused: number }>(
        `SELECT count(*) FILTER (WHERE dlq_failed_at IS NULL)::int AS pending,
                count(*) FILTER (WHERE dlq_failed_at IS NOT NULL)::int AS refused
         FROM rejections WHERE dlq_published_at IS NULL`,
      )
      .then((r) => r.rows[0] ?? null)
      .catch(() => null);
    const aside = await listSetAside(pool, { limit: 5 }).catch(() => ({ total: 0, items: [] }));
    const lag = await pipelineLag(pool, config, kafkaUp).catch(() => null);
    const appendOnly = await appendOnlyFindings(pool).catch(() => null);
    return {
      topics,
      pausedPartitions,
      appendOnly,
      dlq,
      lag,
      setAside: {
        total: aside.total,
        latest: aside.items.map((e) => ({
          projection: e.projection,
          position: String(e.position),
          eventType: e.eventType,
          eventId: e.eventId,
          error: e.error,
        })),
      },
    };
  } finally {
    await pool.end();
  }
}

async function pipelineLag(
  pool: ReturnType<typeof createPool>,
  config: ReturnType<typeof cliContext>['config'],
  kafkaUp: boolean,
): Promise<StoreReport['lag']> {
  const t = config.topics;
  const admin = kafkaUp
    ? createKafka({
        ...kafkaConnection(config.kafka),
        clientId: `${config.kafka.clientId}-status`,
        retries: 1,
        quiet: true,
      }).admin()
    : undefined;
  try {
    await admin?.connect();
    const status = await readPipelineStatus(pool, {
      group: config.ingest.groupId,
      topics: [t.bookings, t.arrivals, t.media],
      admin,
    });
    return {
      consumerRecords: status.consumerLag?.reduce((sum, p) => sum + p.records, 0),
      projectionEvents: Object.fromEntries(status.projections.map((p) => [p.name, p.lagEvents])),
    };
  } finally {
    await admin?.disconnect().catch(() => undefined);
  }
}
