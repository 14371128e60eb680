import { historicTraffic, TrafficSimulator } from '@caravan/simulator';
import { startOfLocalDay, localDate } from '@caravan/domain';
import { stackDown } from '@caravan/stack';
import type { DemoOptions } from '../commands/demo';
import { onInterrupt } from '../support/interrupt';
import { cliContext } from '../support/context';
import { openProducer } from '../support/kafka-session';
import { kafkaSink } from '../support/produce';
import { appUrl, type RunningApp, startPipeline, stopApps } from '../support/pipeline-apps';
import { showKpis } from './kpis';
import { produceLive, Tally } from './simulate';

/** `caravan demo`: starts everything, feeds history then live traffic, shows the KPIs; Ctrl-C stops what it started. */
export async function demo(options: DemoOptions): Promise<void> {
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

  ({ apps, startedKafka } = await startPipeline(config, {
    root,
    detached: false,
    portBase: options.portBase,
    build: options.build,
    env: process.env,
    log,
  }));
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

    const simulator = {
      seed: options.seed ?? Math.floor(Math.random() * 2 ** 32),
      timeZone: config.timeZone,
      mix: { badShare: 0.01, duplicateShare: 0.01 },
    };
    const sink = kafkaSink(await openProducer(config));
    const tally = new Tally();
    if (options.history > 0 && !stop.signal.aborted) {
      const lastYear = `${Number(localDate(Date.now(), config.timeZone).slice(0, 4)) - 1}-01-01`;
      log(`simulating history: ${options.history} records since ${lastYear} (seed ${simulator.seed})…`);
      const history = [
        ...historicTraffic({
          ...simulator,
          from: new Date(startOfLocalDay(lastYear, config.timeZone)),
          to: new Date(),
          count: options.history,
        }),
      ];
      await sink.write(history);
      tally.add(history);
    }
    log(`live traffic at ${options.rate} events/s; the KPI table follows (whole market unless --scope/--all)`);
    const live = produceLive(new TrafficSimulator({ ...simulator, seed: simulator.seed + 1 }), sink, {
      rate: options.rate,
      signal: stop.signal,
      quiet: true,
    });
    const footer = () =>
      `simulator: ${tally.summary.records} history records sent, live at ${options.rate}/s · ` +
      `API ${api}/v1/kpis · docs ${api}/docs\n`;
    await showKpis(api, { ...options, watch: true, apiUrl: api }, stop.signal, footer);
    await live;
    await sink.close().catch(() => undefined);
  } finally {
    await shutdown(process.exitCode === 1 ? 1 : 0);
  }
}
