import type { Command } from 'commander';
import { historicTraffic, TrafficSimulator } from '@caravan/simulator';
import { startOfLocalDay, localDate } from '@caravan/domain';
import { stackDown } from '@caravan/stack';
import { onInterrupt } from '../support/interrupt';
import { cliContext, numberOption } from '../support/context';
import { openProducer } from '../support/kafka-session';
import { kafkaSink } from '../support/produce';
import { appUrl, type RunningApp, startPipeline, stopApps } from '../support/pipeline-apps';
import { kpiFilterOptions, type KpisOptions, showKpis } from './kpis';
import { produceLive, Tally } from './simulate';

type DemoOptions = Omit<KpisOptions, 'watch' | 'apiUrl'> & { rate: number; history: number; portBase: number; build: boolean; seed?: number };

/**
 * `caravan demo` (`npm run demo`): the stack, the four apps, last year's traffic as history, then
 * live traffic and the KPI table updating, until Ctrl-C stops everything this command started.
 */
export function registerDemo(program: Command): void {
  kpiFilterOptions(program.command('demo').description('run everything on this machine with simulated traffic and watch the KPIs update; Ctrl-C stops what it started'))
    .option('--rate <n>', 'live events per second', numberOption(1, 100_000), 50)
    .option('--history <n>', 'records of simulated history from 1 January last year until now, first (0: none)', numberOption(0), 20_000)
    .option('--seed <n>', 'PRNG seed of the simulated traffic', numberOption(0, 2 ** 32 - 1))
    .option('--interval <ms>', 'table refresh interval', numberOption(100, 60_000), 1_000)
    .option('--port-base <port>', 'HTTP port of the api; ingestor, projector, publisher take the next three', numberOption(1, 65_532), 3000)
    .option('--no-build', 'do not run `nest build` when dist/ is older than the sources')
    .action(async (options: DemoOptions) => {
      const { config, root, log } = cliContext();
      const stop = new AbortController();
      let apps: RunningApp[] = [];
      let startedKafka = false;
      let stopping: Promise<void> | undefined;
      const shutdown = (code: number): Promise<void> =>
        (stopping ??= (async () => {
          stop.abort();
          log('\nstopping the apps…');
          await stopApps(apps);
          if (startedKafka) await stackDown(config, log);
          log('demo stopped: nothing it started is left running');
          process.exitCode = code;
        })());
      onInterrupt(() => void shutdown(0));

      ({ apps, startedKafka } = await startPipeline(config, { root, detached: false, portBase: options.portBase, build: options.build, env: process.env, log }));
      try {
        const api = appUrl(config, options.portBase);
        log(`dashboard: ${api}/`);
        for (const app of apps) {
          app.child?.once('exit', (code, signal) => {
            if (!stop.signal.aborted) {
              log(`${app.app} exited (${signal ?? code}); see ${app.logFile}`);
              void shutdown(1);
            }
          });
          log(`${app.app.padEnd(9)} ready at ${appUrl(config, app.port)} (pid ${app.pid}, log ${app.logFile})`);
        }
        log(`API: ${api}/v1/kpis   live stream: ${api}/v1/kpis/stream   docs: ${api}/docs (OpenAPI ${api}/openapi.json)`);
        log(`metrics: ${apps.map((a) => `${appUrl(config, a.port)}/metrics`).join('  ')}`);

        const simulator = { seed: options.seed ?? Math.floor(Math.random() * 2 ** 32), timeZone: config.timeZone, mix: { badShare: 0.01, duplicateShare: 0.01 } };
        const sink = kafkaSink(await openProducer(config));
        const tally = new Tally();
        if (options.history > 0 && !stop.signal.aborted) {
          const lastYear = `${Number(localDate(Date.now(), config.timeZone).slice(0, 4)) - 1}-01-01`;
          log(`simulating history: ${options.history} records since ${lastYear} (seed ${simulator.seed})…`);
          const history = [...historicTraffic({ ...simulator, from: new Date(startOfLocalDay(lastYear, config.timeZone)), to: new Date(), count: options.history })];
          await sink.write(history);
          tally.add(history);
        }
        log(`live traffic at ${options.rate} events/s; the KPI table follows (whole market unless --scope/--all)`);
        const live = produceLive(new TrafficSimulator({ ...simulator, seed: simulator.seed + 1 }), sink, { rate: options.rate, signal: stop.signal, quiet: true });
        const footer = () => `simulator: ${tally.summary.records} history records sent, live at ${options.rate}/s · API ${api}/v1/kpis · docs ${api}/docs\n`;
        await showKpis(api, { ...options, watch: true, apiUrl: api }, stop.signal, footer);
        await live;
        await sink.close().catch(() => undefined);
      } finally {
        await shutdown(process.exitCode === 1 ? 1 : 0);
      }
    });
}
