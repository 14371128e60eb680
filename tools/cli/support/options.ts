import { InvalidArgumentError } from 'commander';

// The parsers of the commands' options: part of the program's definition, so only commander here
// (the definitions are built for every `--help`, before any implementation is loaded).

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
  if (!Number.isFinite(n) || n < 0 || n >= 1)
    throw new InvalidArgumentError('expected a share from 0 to below 1, e.g. 0.01');
  return n;
}

/** A commander argument parser for `dimension=value`, repeatable: the scopes so far and this one. */
export function scopeOption(value: string, previous: Record<string, string>): Record<string, string> {
  const match = /^([a-z_]+)=(.{1,64})$/.exec(value);
  if (!match) throw new InvalidArgumentError('expected dimension=value, e.g. nationality=CN');
  return { ...previous, [match[1] as string]: match[2] as string };
}
