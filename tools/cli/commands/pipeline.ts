import type { Command } from 'commander';
import { APP_NAMES } from '@caravan/config';
import { createPool } from '@caravan/database';
import { ingestTotals } from '@caravan/ingest';
import { describeStatus, recordedApp, stackDown, stackIsUp, stackStatus, stopRecordedApp } from '@caravan/stack';
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
      for (const app of APP_NAMES) log(`${app.padEnd(9)} ${(await stopRecordedApp(config.stack.stateDir, app)) ? 'stopped' : 'was not running'}`);
      await stackDown(config, log);
    });

  program
    .command('status')
    .description("each part's health and lag: the stack, the four apps (readiness), consumer and projection lag, the ingest counters (exit 3 when a part is down)")
    .action(async () => {
      const { config, log } = cliContext();
      const stack = await stackStatus(config);
      describeStatus(stack).forEach(log);
      let healthy = stackIsUp(stack);
      for (const app of APP_NAMES) {
        const record = recordedApp(config.stack.stateDir, app);
        if (!record) {
          healthy = false;
          log(`${app.padEnd(9)} stopped`);
          continue;
        }
        const base = appUrl(config, record.port);
        const ready = await fetch(`${base}/health/ready`, { signal: AbortSignal.timeout(3_000) }).catch(() => undefined);
        const body = ready ? ((await ready.json().catch(() => ({}))) as { status?: string; checks?: Record<string, { status: string; detail?: string }> }) : {};
        const failing = Object.entries(body.checks ?? {}).filter(([, c]) => c.status !== 'up').map(([n, c]) => `${n}: ${c.detail ?? 'down'}`);
        healthy &&= ready?.status === 200;
        log(`${app.padEnd(9)} pid ${record.pid} ${base} ${ready?.status === 200 ? 'ready' : `UNREADY ${failing.join('; ') || ready?.status || 'no answer'}`}${await lagOf(app, base)}`);
      }
      if (stack.postgres.state === 'running') await logTotals(config.database.url, config.ingest.groupId, log);
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

async function logTotals(url: string, group: string, log: (line: string) => void): Promise<void> {
  const pool = createPool({ url, poolSize: 1, applicationName: 'caravan-status' });
  try {
    for (const t of await ingestTotals(pool, group).catch(() => [])) {
      log(`${t.topic}: consumed ${t.consumed} = accepted ${t.accepted} + duplicate ${t.duplicate} + rejected ${t.rejected}`);
    }
  } finally {
    await pool.end();
  }
}
