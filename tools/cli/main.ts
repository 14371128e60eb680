/**
 * `caravan`: one CLI for the local stack, the pipeline, simulated and imported traffic, KPIs in the
 * terminal and ops actions. `npx caravan --help` lists every command; bin/caravan.js runs this file.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Command, CommanderError } from 'commander';
import { projectRoot } from '@caravan/config';
import { registerDemo } from './commands/demo';
import { registerDlq } from './commands/dlq';
import { registerImport } from './commands/import';
import { registerKpis } from './commands/kpis';
import { registerOffsets } from './commands/offsets';
import { registerPipeline } from './commands/pipeline';
import { registerRebuild } from './commands/rebuild';
import { registerSimulate } from './commands/simulate';
import { registerStack } from './commands/stack';
import { failureLine } from './support/cli-error';

export function buildProgram(): Command {
  const program = new Command('caravan')
    .description('Caravan: tourism events in, trustworthy KPIs out. Every command honours DATABASE_URL and KAFKA_BROKERS (and the other variables in the README).')
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
  registerDemo(program);
  return program;
}

/** The package's version (package.json beside the sources, or the installed package's). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version;
}

export async function main(argv: string[]): Promise<number> {
  const program = buildProgram();
  try {
    await program.parseAsync(argv);
    return typeof process.exitCode === 'number' ? process.exitCode : 0;
  } catch (error) {
    if (error instanceof CommanderError) return error.exitCode === 0 ? 0 : 2;
    const command = argv.slice(2).find((a) => !a.startsWith('-')) ?? '';
    process.stderr.write(`caravan${command ? ` ${command}` : ''}: ${failureLine(error, program.opts<{ verbose?: boolean }>().verbose === true)}\n`);
    return (error as { exitCode?: number }).exitCode ?? 1;
  }
}

if (require.main === module) {
  void main(process.argv).then((code) => process.exit(code));
}
