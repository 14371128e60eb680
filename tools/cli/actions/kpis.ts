import { setTimeout as delay } from 'node:timers/promises';
import type { KpisOptions } from '../commands/kpis';
import { type KpiFilter, fetchLatestKpis } from '../support/api-client';
import { onInterrupt } from '../support/interrupt';
import { cliContext } from '../support/context';
import { renderKpiTable } from '../support/kpi-table';
import { appUrl } from '../support/pipeline-apps';

/** The api filter of the options: the whole market unless a scope is given or --all. */
export function kpiFilter(options: Pick<KpisOptions, 'kpi' | 'window' | 'scope' | 'all'>): KpiFilter {
  const scoped = Object.keys(options.scope).length > 0;
  return {
    kpi: options.kpi,
    window: options.window,
    scope: options.scope,
    wholeMarket: options.all || scoped ? undefined : true,
  };
}

/**
 * Prints the table once, or with --watch redraws it every interval until Ctrl-C (on a terminal in
 * place; elsewhere only when it changed, so a log stays readable). Resolves when stopped.
 */
export async function showKpis(
  apiUrl: string,
  options: KpisOptions,
  signal?: AbortSignal,
  footer: () => string = () => '',
): Promise<void> {
  const filter = kpiFilter(options);
  // --json: the snapshots as the API returns them, one JSON array per line (with --watch, a line per change).
  const render = async () => {
    const snapshots = await fetchLatestKpis(apiUrl, filter);
    return options.json ? JSON.stringify(snapshots) : renderKpiTable(snapshots);
  };
  if (!options.watch) return void process.stdout.write(`${await render()}\n`);
  let last = '';
  if (options.json) {
    while (!signal?.aborted) {
      const line = await render().catch((error: Error) => JSON.stringify({ error: error.message }));
      if (line !== last) process.stdout.write(`${line}\n`);
      last = line;
      await delay(options.interval, undefined, { signal }).catch(() => undefined);
    }
    return;
  }
  while (!signal?.aborted) {
    const table = await render().catch((error: Error) => `(${error.message})`);
    if (process.stdout.isTTY)
      process.stdout.write(
        `\x1b[H\x1b[2J${table}\n\n${footer()}(refreshing every ${options.interval} ms; Ctrl-C to stop)\n`,
      );
    else if (table !== last) process.stdout.write(`${table}\n\n`);
    last = table;
    await delay(options.interval, undefined, { signal }).catch(() => undefined);
  }
}

/** `caravan kpis`: the table once, or with --watch until Ctrl-C. */
export async function kpis(options: KpisOptions): Promise<void> {
  const { config } = cliContext();
  const controller = new AbortController();
  onInterrupt(() => controller.abort());
  await showKpis(options.apiUrl ?? appUrl(config, 3000), options, controller.signal);
}
