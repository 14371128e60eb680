import { type Command, Option } from 'commander';
import { TOPIC_ROLES, type TopicRole } from '@caravan/contract';
import type { ImportFormat } from '@caravan/importer';
import { CSV_COLUMNS_SUMMARY } from '../support/help-text';

export type ImportOptions = {
  format?: ImportFormat;
  type?: string;
  producer?: string;
  timeZone?: string;
  unroutable: TopicRole;
  dryRun?: boolean;
  strict?: boolean;
  quiet?: boolean;
};

/** The implementation (the importer, Kafka, PostgreSQL), loaded when the command runs, not for --help. */
const implementation = (): typeof import('../actions/import') => require('../actions/import');

/**
 * `caravan import <file>`: NDJSON envelopes or CSV rows (docs/import.md) to the inbound topics, with the right keys.
 */
export function registerImport(program: Command): void {
  program
    .command('import')
    .description(
      'produce a file of events to the inbound topics: NDJSON envelopes, ' +
        'or CSV with the column mapping of docs/import.md; ' +
        'malformed lines are reported with their line numbers and still sent, so the DLQ shows them',
    )
    .argument('<file>', '.ndjson/.jsonl or .csv')
    .addOption(new Option('--format <format>', 'override the format the extension implies').choices(['ndjson', 'csv']))
    .option(
      '--type <eventType>',
      'CSV without a `type` column: the event type of every row ' +
        '(BookingCreated, BookingCancelled, ArrivalRecorded, MediaViewsReported)',
    )
    .option('--producer <name>', 'CSV without a `producer` column: the envelope producer (default caravan-import)')
    .option(
      '--time-zone <zone>',
      'CSV: the IANA zone of occurredAt values written without an offset (default TIME_ZONE)',
    )
    .addOption(
      new Option('--unroutable <role>', 'topic for lines whose event type cannot be read')
        .choices(TOPIC_ROLES)
        .default('arrivals'),
    )
    .option('--dry-run', 'check the file and report, send nothing')
    .option('--strict', 'send nothing if any line has a problem (exit 1)')
    .option('--quiet', 'no progress bar')
    .addHelpText(
      'after',
      `\nCSV columns (a header row; see docs/import.md):\n${CSV_COLUMNS_SUMMARY.replace(/^/gm, '  ')}`,
    )
    .action(async (file: string, options: ImportOptions) => implementation().importFile(file, options));
}
