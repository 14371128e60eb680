import { type Command, InvalidArgumentError, Option } from 'commander';
import { setTimeout as delay } from 'node:timers/promises';
import { KPIS, WINDOWS } from '@caravan/contract';
import { type KpiFilter, fetchLatestKpis } from '../support/api-client';
import { onInterrupt } from '../support/interrupt';
import { cliContext, numberOption } from '../support/context';
import { renderKpiTable } from '../support/kpi-table';
import { appUrl } from '../support/pipeline-apps';

export type KpisOptions = { kpi?: string; window?: string; scope: Record<string, string>; all?: boolean; watch?: boolean; interval: number; apiUrl?: string; json?: boolean };

function scopeOption(value: string, previous: Record<string, string>): Record<string, string> {
  const match = /^([a-z_]+)=(.{1,64})$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected dimension=value, e.g. nationality=CN');
  return { ...previous, [match[1] as string]: match[2] as string };
}

/** The api filter of the options: the whole market unless a scope is given or --all. */
export function kpiFilter(options: Pick<KpisOptions, 'kpi' | 'window' | 'scope' | 'all'>): KpiFilter {
  const scoped = Object.keys(options.scope).length > 0;
  return { kpi: options.kpi, window: options.window, scope: options.scope, wholeMarket: options.all || scoped ? undefined : true };
}

/**
 * Prints the table once, or with --watch redraws it every interval until Ctrl-C (on a terminal in
 * place; elsewhere only when it changed, so a log stays readable). Resolves when stopped.
 */
export async function showKpis(apiUrl: string, options: KpisOptions, signal?: AbortSignal, footer: () => string = () => ''): Promise<void> {
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
    if (process.stdout.isTTY) process.stdout.write(`\x1b[H\x1b[2J${table}\n\n${footer()}(refreshing every ${options.interval} ms; Ctrl-C to stop)\n`);
    else if (table !== last) process.stdout.write(`${table}\n\n`);
    last = table;
    await delay(options.interval, undefined, { signal }).catch(() => undefined);
  }
}

export function kpiFilterOptions(command: Command): Command {
  return command
    .addOption(new Option('--kpi <kpi>', 'one KPI').choices(KPIS))
    .addOption(new Option('--window <window>', 'one window').choices(WINDOWS))
    .option('--scope <dimension=value>', 'one scope, e.g. nationality=CN (default: the whole market)', scopeOption, {})
    .option('--all', 'every scope, not only the whole market');
}

/** `caravan kpis`: the latest KPIs as a terminal table, from the api app. */
export function registerKpis(program: Command): void {
  kpiFilterOptions(program.command('kpis').description('the latest KPI snapshots as a table (kpi, window, scope, value, previous, change, target progress), from the api app'))
    .option('--watch', 'refresh until Ctrl-C')
    .option('--interval <ms>', 'refresh interval with --watch', numberOption(100, 3_600_000), 1_000)
    .option('--api-url <url>', 'the api app (default: http://HTTP_HOST:3000)')
    .option('--json', 'the snapshots as JSON (an array; with --watch, one line per change) instead of the table')
    .action(async (options: KpisOptions) => {
      const { config } = cliContext();
      const controller = new AbortController();
      onInterrupt(() => controller.abort());
      await showKpis(options.apiUrl ?? appUrl(config, 3000), options, controller.signal);
    });
}
