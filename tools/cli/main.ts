/**
 * `caravan`: one CLI for the local stack, the pipeline, simulated and imported traffic, KPIs in the
 * terminal and ops actions. `npx caravan --help` lists every command; bin/caravan.js runs this file.
 *
 * The program (every command's name, arguments, options and help) is built from commands/*.ts,
 * which need only commander, node builtins and @caravan/contract: `--help` and `--version` load
 * nothing of the application. Each command's implementation (actions/*.ts, with the libraries,
 * NestJS, pg, kafkajs) is loaded when the command runs.
 */
import { Command, CommanderError } from 'commander';
import { registerAdmin } from './commands/admin';
import { registerDemo } from './commands/demo';
import { registerDlq } from './commands/dlq';
import { registerImport } from './commands/import';
import { registerKpis } from './commands/kpis';
import { registerOffsets } from './commands/offsets';
import { registerPipeline } from './commands/pipeline';
import { registerRebuild } from './commands/rebuild';
import { registerSimulate } from './commands/simulate';
import { registerStack } from './commands/stack';
import { packageVersion } from './support/package-version';

export function buildProgram(): Command {
  const program = new Command('caravan')
    .description(
      'Caravan: tourism events in, trustworthy KPIs out. Every command honours DATABASE_URL and ' +
        'KAFKA_BROKERS (and the other variables in the README).',
    )
    .version(packageVersion(), '-V, --version', 'the version of Caravan')
    .option('--verbose', 'print stack traces on failure')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  registerPipeline(program);
  registerStack(program);
  registerSimulate(program);
  registerImport(program);
  registerKpis(program);
  registerRebuild(program);
  registerDlq(program);
  registerOffsets(program);
  registerAdmin(program);
  registerDemo(program);
  return program;
}

/** The one line of a failure: support/cli-error knows the libraries' errors, so it is loaded only on failure. */
const failureLine = (error: unknown, verbose: boolean): string =>
  (require('./support/cli-error') as typeof import('./support/cli-error')).failureLine(error, verbose);

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const command = argv.slice(2).find((a) => !a.startsWith('-')) ?? '';
    process.stderr.write(
      `caravan${command ? ` ${command}` : ''}:` +
        ` ${failureLine(error, program.opts<{ verbose?: boolean }>().verbose === true)}\n`,
    );
    return (error as { exitCode?: number }).exitCode ?? 1;
  }
}

if (require.main === module) {
  void main(process.argv).then((code) => process.exit(code));
}
