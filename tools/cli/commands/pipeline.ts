import type { Command } from 'commander';
import { numberOption } from '../support/options';

export type UpOptions = { portBase: number; build: boolean };
export type StatusOptions = { json?: boolean };

/** The implementation (the stack, the apps, PostgreSQL, Kafka), loaded when a command runs, not for --help. */
const implementation = (): typeof import('../actions/pipeline') => require('../actions/pipeline');

/** `caravan up|down|status`: the stack and the four apps in the background, for real producers. */
export function registerPipeline(program: Command): void {
  program
    .command('up')
    .description(
      'start the whole pipeline in the background (stack, migrations, ingestor, projector, ' +
        'publisher, api; no traffic); logs in .caravan/logs/',
    )
    .option(
      '--port-base <port>',
      'HTTP port of the api; ingestor, projector, publisher take the next three',
      numberOption(1, 65_532),
      3000,
    )
    .option('--no-build', 'do not run `nest build` when dist/ is older than the sources')
    .action(async (options: UpOptions) => implementation().up(options));

  program
    .command('down')
    .description('stop the apps `up` started, then the Kafka broker if the stack started it')
    .action(async () => implementation().down());

  program
    .command('status')
    .description(
      "each part's health and lag: the stack, the four apps (readiness), consumer and projection " +
        'lag, the ingest counters, partitions paused because their log went backwards, events the ' +
        'projections set aside (exit 3 when a part is down or a partition paused)',
    )
    .option('--json', 'the same as one JSON object, for scripts and monitoring (exit code as without it)')
    .action(async (options: StatusOptions) => implementation().status(options));
}
