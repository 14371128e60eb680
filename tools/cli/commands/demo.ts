import type { Command } from 'commander';
import { numberOption } from '../support/options';
import { kpiFilterOptions, type KpisOptions } from './kpis';

export type DemoOptions = Omit<KpisOptions, 'watch' | 'apiUrl'> & {
  rate: number;
  history: number;
  portBase: number;
  build: boolean;
  seed?: number;
};

/** The implementation (the stack, the apps, the simulator), loaded when the command runs, not for --help. */
const implementation = (): typeof import('../actions/demo') => require('../actions/demo');

/**
 * `caravan demo` (`npm run demo`): the stack, the four apps, last year's traffic as history, then
 * live traffic and the KPI table updating, until Ctrl-C stops everything this command started.
 */
export function registerDemo(program: Command): void {
  kpiFilterOptions(
    program
      .command('demo')
      .description(
        'run everything on this machine with simulated traffic and watch the KPIs update; Ctrl-C stops what it started',
      ),
  )
    .option('--rate <n>', 'live events per second', numberOption(1, 100_000), 50)
    .option(
      '--history <n>',
      'records of simulated history from 1 January last year until now, first (0: none)',
      numberOption(0),
      20_000,
    )
    .option('--seed <n>', 'PRNG seed of the simulated traffic', numberOption(0, 2 ** 32 - 1))
    .option('--interval <ms>', 'table refresh interval', numberOption(100, 60_000), 1_000)
    .option(
      '--port-base <port>',
      'HTTP port of the api; ingestor, projector, publisher take the next three',
      numberOption(1, 65_532),
      3000,
    )
    .option('--no-build', 'do not run `nest build` when dist/ is older than the sources')
    .action(async (options: DemoOptions) => implementation().demo(options));
}
