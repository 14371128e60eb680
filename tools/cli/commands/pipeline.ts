import type { Command } from 'commander';
import { APP_NAMES } from '@caravan/config';
import { createPool } from '@caravan/database';
import { ingestTotals, partitionOffsets } from '@caravan/ingest';
import { createKafka, kafkaConnection } from '@caravan/kafka';
import { listSetAside } from '@caravan/projections';
import { describeStatus, recordedApp, runningSupervisor, type SupervisedApp, stackDown, stackIsUp, stackStatus, stopRecordedApp, stopSupervisor } from '@caravan/stack';
import { cliContext, numberOption } from '../support/context';
import { appUrl, startPipeline } from '../support/pipeline-apps';
import { scrapeMetrics } from '../support/scrape';

/** `caravan up|down|status`: the stack and the four apps in the background, for real producers. */
export function registerPipeline(program: Command): void {
  program
    .command('up')
    .description('start the whole pipeline in the background (stack, migrations, ingestor, projector, publisher, api; no traffic); logs in .caravan/logs/')
    .option('--port-base <port>', 'HTTP port of the api; ingestor, projector, publisher take the next three', numberOption(1, 65_532), 3000)
    .option('--no-build', 'do not run `nest build` when dist/ is older than the sources')
    .action(async (options: { portBase: number; build: boolean }) => {
      const { config, root, log } = cliContext();
      const { apps } = await startPipeline(config, { root, detached: true, portBase: options.portBase, build: options.build, env: process.env, log });
      for (const app of apps) log(`${app.app.padEnd(9)} ready at ${appUrl(config, app.port)} (pid ${app.pid}, log ${app.logFile})`);
      log(`API ${appUrl(config, options.portBase)}/v1/kpis, docs ${appUrl(config, options.portBase)}/docs; \`npx caravan status\` to watch, \`npx caravan down\` to stop`);
    });

  program
    .command('down')
    .description('stop the apps `up` started, then the Kafka broker if the stack started it')
    .action(async () => {
      const { config, log } = cliContext();
      if (await stopSupervisor(config.stack.stateDir)) log('supervisor and its apps stopped');
      // Apps of an earlier `up` without a supervisor, or left behind by one that was killed.
      for (const app of APP_NAMES) {
        const stopped = await stopRecordedApp(config.stack.stateDir, app);
        if (stopped) log(`${app.padEnd(9)} stopped`);
      }
      await stackDown(config, log);
    });

  program
    .command('status')
    .description("each part's health and lag: the stack, the four apps (readiness), consumer and projection lag, the ingest counters, partitions paused because their log went backwards, events the projections set aside (exit 3 when a part is down or a partition paused)")
    .action(async () => {
      const { config, log } = cliContext();
      const stack = await stackStatus(config);
      describeStatus(stack).forEach(log);
      let healthy = stackIsUp(stack);
      const supervisor = runningSupervisor(config.stack.stateDir);
      log(supervisor ? `supervisor pid ${supervisor.pid} since ${supervisor.startedAt}: restarts an app that exits` : 'supervisor not running (apps that exit stay down)');
      for (const app of APP_NAMES) {
        const record = recordedApp(config.stack.stateDir, app) as (ReturnType<typeof recordedApp> & Partial<SupervisedApp>) | undefined;
        if (!record) {
          healthy = false;
          log(`${app.padEnd(9)} stopped${supervisor ? ' (the supervisor restarts it)' : ''}`);
          continue;
        }
        const restarts = record.restarts ? `, restarted ${record.restarts}x (last exit ${record.lastExit?.signal ?? `code ${record.lastExit?.code}`} at ${record.lastExit?.at})` : '';
        const base = appUrl(config, record.port);
        const ready = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(3_000) }).catch(() => undefined);
        const body = ready ? ((await ready.json().catch(() => ({}))) as { status?: string; details?: Record<string, { status: string; detail?: string }> }) : {};
        const failing = Object.entries(body.details ?? {}).filter(([, c]) => c.status !== 'up').map(([n, c]) => `${n}: ${c.detail ?? 'down'}`);
        healthy &&= ready?.status === 200;
        log(`${app.padEnd(9)} pid ${record.pid} ${base} ${ready?.status === 200 ? 'ready' : `UNREADY ${failing.join('; ') || ready?.status || 'no answer'}`}${await lagOf(app, base)}${restarts}`);
      }
      if (stack.postgres.state === 'running') {
        const troubled = await logStore(config, stack.kafka.state !== 'stopped', log);
        healthy &&= !troubled;
      }
      if (!healthy) process.exitCode = 3;
    });
}

async function lagOf(app: string, base: string): Promise<string> {
  if (app !== 'ingestor' && app !== 'projector') return '';
  const metrics = await scrapeMetrics(`${base}/metrics`);
  if (!metrics) return '';
  if (app === 'ingestor') {
    const lag = (metrics.get('caravan_consumer_lag_records') ?? []).reduce((sum, s) => sum + s.value, 0);
    return `, consumer lag ${lag} records`;
  }
  const lags = (metrics.get('caravan_projection_lag_events') ?? []).map((s) => `${s.labels.projection} ${s.value}`);
  return `, projection lag ${lags.join(', ') || 'n/a'} events`;
}

/**
 * What PostgreSQL (and Kafka's logs) say: the counters, partitions whose stored offset lies beyond
 * their log (paused by the ingestor), events the projections set aside. Resolves whether any
 * partition is paused.
 */
async function logStore(config: ReturnType<typeof cliContext>['config'], kafkaUp: boolean, log: (line: string) => void): Promise<boolean> {
  const pool = createPool({ url: config.database.url, poolSize: 1, applicationName: 'caravan-status', limits: config.database.limits });
  let paused = false;
  try {
    for (const t of await ingestTotals(pool, config.ingest.groupId).catch(() => [])) {
      const codes = Object.entries(t.rejectedByCode).map(([code, n]) => `${code} ${n}`).join(', ');
      log(`${t.topic}: consumed ${t.consumed} = accepted ${t.accepted} + duplicate ${t.duplicate} + rejected ${t.rejected}${codes ? ` (${codes})` : ''}`);
    }
    if (kafkaUp) {
      const admin = createKafka({ ...kafkaConnection(config.kafka), clientId: `${config.kafka.clientId}-status`, retries: 1, quiet: true }).admin();
      try {
        await admin.connect();
        const t = config.topics;
        for (const s of await partitionOffsets(pool, admin, config.ingest.groupId, [t.bookings, t.arrivals, t.media])) {
          if (s.state !== 'beyond-log-end') continue;
          paused = true;
          log(`${s.topic}[${s.partition}] PAUSED: stored offset ${s.stored} lies beyond the log's end ${s.logEnd} (topic re-created or log truncated); accept the new log: npx caravan offsets reset ${s.topic} ${s.partition} --to earliest --yes`);
        }
      } catch {
        // Kafka went away meanwhile: the stack line says so.
      } finally {
        await admin.disconnect().catch(() => undefined);
      }
    }
    const dlq = await pool
      .query<{ pending: number; refused: number }>(
        `SELECT count(*) FILTER (WHERE dlq_failed_at IS NULL)::int AS pending, count(*) FILTER (WHERE dlq_failed_at IS NOT NULL)::int AS refused
         FROM rejections WHERE dlq_published_at IS NULL`,
      )
      .then((r) => r.rows[0])
      .catch(() => undefined);
    if (dlq && dlq.pending > 0) log(`${dlq.pending} rejection(s) not on the DLQ topic yet (the ingestor's relay publishes them)`);
    if (dlq && dlq.refused > 0) log(`${dlq.refused} rejection(s) refused by the DLQ topic even alone, kept in PostgreSQL: npx caravan dlq list --dlq refused`);
    const aside = await listSetAside(pool, { limit: 5 }).catch(() => ({ total: 0, items: [] }));
    if (aside.total > 0) {
      log(`${aside.total} event(s) set aside by the projections (could not be applied; \`npx caravan rebuild <projection>\` applies them again once the cause is fixed), latest:`);
      for (const e of aside.items) log(`  ${e.projection} position ${e.position} ${e.eventType} ${e.eventId}: ${e.error.slice(0, 160)}`);
    }
  } finally {
    await pool.end();
  }
  return paused;
}
