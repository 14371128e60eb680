import { type Command, Option } from 'commander';
import { REJECTION_CODES } from '@caravan/contract';
import { numberOption } from '../support/options';

export type DlqListOptions = {
  code?: string;
  from?: string;
  to?: string;
  dlq?: 'pending' | 'published' | 'refused';
  limit: number;
  offset: number;
  values?: boolean;
};
export type DlqReplayOptions = { code?: string; id?: string[]; limit: number; here?: boolean; quiet?: boolean };

/** The implementation (PostgreSQL, the admin service), loaded when a command runs, not for --help. */
const implementation = (): typeof import('../actions/dlq') => require('../actions/dlq');

/** `caravan dlq list|replay`: the rejected records, through the admin endpoints' own service. */
export function registerDlq(program: Command): void {
  const dlq = program
    .command('dlq')
    .description('rejected records (kept in PostgreSQL and published to the DLQ topic): list and replay');
  dlq
    .command('list')
    .description('rejections, oldest first, with code, detail and source')
    .addOption(new Option('--code <code>', 'only this rejection code').choices(REJECTION_CODES))
    .option('--from <time>', 'rejected at or after (RFC 3339)')
    .option('--to <time>', 'rejected before (RFC 3339)')
    .addOption(
      new Option('--dlq <state>', 'only those pending for, published to, or refused by the DLQ topic').choices([
        'pending',
        'published',
        'refused',
      ]),
    )
    .option('--limit <n>', 'at most', numberOption(1, 500), 50)
    .option('--offset <n>', 'skip', numberOption(0), 0)
    .option('--values', 'print each original record value too')
    .action(async (options: DlqListOptions) => implementation().listRejections(options));
  dlq
    .command('replay')
    .description(
      'ask the ingestor to re-validate unresolved rejections against the current schemas and rates; ' +
        'accepted ones are appended and the counters stay balanced',
    )
    .addOption(new Option('--code <code>', 'only this rejection code').choices(REJECTION_CODES))
    .option('--id <id...>', 'only these rejection ids')
    .option('--limit <n>', 'at most this many', numberOption(1, 10_000), 1_000)
    .option('--here', 'replay in this process (when no ingestor runs)')
    .option('--quiet', 'no progress bar')
    .action(async (options: DlqReplayOptions) => implementation().replayRejections(options));
}
