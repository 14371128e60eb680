import { type CaravanConfig, loadConfig, projectRoot } from '@caravan/config';

/** What every command starts from: the parsed configuration and the repository root. */
export type CliContext = { config: CaravanConfig; root: string; log: (line: string) => void };

export function cliContext(): CliContext {
  return { config: loadConfig('tool'), root: projectRoot(), log: (line) => void process.stdout.write(`${line}\n`) };
}
