import { ConfigError } from '@caravan/config';
import { MissingPrerequisite } from '@caravan/stack';

/** A failure the user can act on: printed as one line, exit code 1 (2 for usage). */
export class CliError extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = 'CliError';
  }
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ECONNRESET',
  '57P03',
  '3D000',
  '28000',
]);

/** The one line printed for a failure; stacks only with --verbose. */
export function failureLine(error: unknown, verbose: boolean): string {
  if (error instanceof CliError || error instanceof MissingPrerequisite) return error.message;
  if (error instanceof ConfigError)
    return error.issues.length === 1 ? `invalid configuration: ${error.issues[0]}` : error.message;
  const e = error as NodeJS.ErrnoException;
  const message = e?.message ?? String(error);
  if (verbose && e?.stack) return e.stack;
  if (e?.code && CONNECTION_CODES.has(e.code))
    return `PostgreSQL is not reachable (${message.split('\n')[0]}): start it or set DATABASE_URL`;
  return message.split('\n')[0] ?? 'failed';
}
