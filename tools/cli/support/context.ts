import { InvalidArgumentError } from 'commander';
import { type CaravanConfig, loadConfig, projectRoot } from '@caravan/config';

/** What every command starts from: the parsed configuration and the repository root. */
export type CliContext = { config: CaravanConfig; root: string; log: (line: string) => void };

export function cliContext(): CliContext {
  return { config: loadConfig('tool'), root: projectRoot(), log: (line) => void process.stdout.write(`${line}\n`) };
}

/** A commander argument parser for numbers within bounds. */
export function numberOption(min: number, max = Number.MAX_SAFE_INTEGER, integer = true) {
  return (value: string): number => {
    const n = Number(value);
    if (!Number.isFinite(n) || n < min || n > max || (integer && !Number.isInteger(n))) {
      throw new InvalidArgumentError(`expected ${integer ? 'an integer' : 'a number'} from ${min} to ${max}`);
    }
    return n;
  };
}

/** A commander argument parser for a share in [0, 1). */
export function shareOption(value: string): number {
  const n = Number(value);
  if (!Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError('expected a share from 0 to below 1, e.g. 0.01');
  return n;
}
