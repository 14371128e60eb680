import type { Command } from 'commander';
import { numberOption, shareOption } from '../support/options';

export type SimulateOptions = {
  rate?: number;
  duration?: number;
  from?: string;
  to?: string;
  count?: number;
  seed?: number;
  seedYear?: boolean;
  badShare: number;
  duplicateShare: number;
  out?: string;
  verify?: boolean;
  timeout: number;
  quiet?: boolean;
};

export const DEFAULT_RATE = 20;
export const DEFAULT_HISTORIC_COUNT = 10_000;

/** The implementation (the simulator, Kafka, PostgreSQL), loaded when the command runs, not for --help. */
const implementation = (): typeof import('../actions/simulate') => require('../actions/simulate');

/** `caravan simulate`: realistic traffic for docs/contract §1, live, historic, or the article's two years. */
export function registerSimulate(program: Command): void {
  program
    .command('simulate')
    .description(
      'produce realistic tourism traffic to the inbound topics: live (--rate, event time now; the ' +
        "default), historic (--from/--to/--count) or --seed-year (the article's 2023 and 2024); " +
        '--out writes NDJSON instead',
    )
    .option('--rate <n>', `live: events per second (default ${DEFAULT_RATE})`, numberOption(1, 1_000_000))
    .option('--duration <seconds>', 'live: stop after this many seconds (default: Ctrl-C)', numberOption(1))
    .option(
      '--from <time>',
      'historic: first local day (YYYY-MM-DD in TIME_ZONE) or instant (RFC 3339); default a year before --to',
    )
    .option('--to <time>', 'historic: end, exclusive (default now)')
    .option(
      '--count <n>',
      `records to produce (historic default ${DEFAULT_HISTORIC_COUNT}; live: stop after n)`,
      numberOption(1),
    )
    .option(
      '--seed <n>',
      'PRNG seed: the same seed and options give the same records (default: random, printed)',
      numberOption(0, 2 ** 32 - 1),
    )
    .option(
      '--seed-year',
      "the article's two years, calibrated: CN arrivals 368,000 (2023) and 655,000 (2024), Almaty " +
        'first, 2024 media views above 60 million; prints the expected KPIs',
    )
    .option('--bad-share <x>', 'share of invalid records, spread over every rejection kind', shareOption)
    .option('--duplicate-share <x>', 'share of exact redeliveries of earlier records', shareOption)
    .option('--out <file>', 'write the records as NDJSON to a file (for `caravan import`) instead of producing them')
    .option(
      '--verify',
      'with --seed-year: wait until the published ytd snapshots show the expected figures; exit 1 if they do not',
    )
    .option('--timeout <seconds>', 'how long --verify waits', numberOption(1), 300)
    .option('--quiet', 'no progress bar')
    .action(async (options: SimulateOptions) => implementation().simulate(options));
}
