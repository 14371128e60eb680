import { type Command, Option } from 'commander';
import { KPIS, WINDOWS } from '@caravan/contract';
import { numberOption, scopeOption } from '../support/options';

export type KpisOptions = {
  kpi?: string;
  window?: string;
  scope: Record<string, string>;
  all?: boolean;
  watch?: boolean;
  interval: number;
  apiUrl?: string;
  json?: boolean;
};

/** The implementation (the api client, the table), loaded when the command runs, not for --help. */
const implementation = (): typeof import('../actions/kpis') => require('../actions/kpis');

/** The options choosing which snapshots to show (`caravan kpis` and `caravan demo`). */
export function kpiFilterOptions(command: Command): Command {
  return command
    .addOption(new Option('--kpi <kpi>', 'one KPI').choices(KPIS))
    .addOption(new Option('--window <window>', 'one window').choices(WINDOWS))
    .option('--scope <dimension=value>', 'one scope, e.g. nationality=CN (default: the whole market)', scopeOption, {})
    .option('--all', 'every scope, not only the whole market');
}

/** `caravan kpis`: the latest KPIs as a terminal table, from the api app. */
export function registerKpis(program: Command): void {
  kpiFilterOptions(
    program
      .command('kpis')
      .description(
        'the latest KPI snapshots as a table (kpi, window, scope, value, previous, change, target ' +
          'progress), from the api app',
      ),
  )
    .option('--watch', 'refresh until Ctrl-C')
    .option('--interval <ms>', 'refresh interval with --watch', numberOption(100, 3_600_000), 1_000)
    .option('--api-url <url>', 'the api app (default: http://HTTP_HOST:3000)')
    .option('--json', 'the snapshots as JSON (an array; with --watch, one line per change) instead of the table')
    .action(async (options: KpisOptions) => implementation().kpis(options));
}
