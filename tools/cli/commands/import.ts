import { type Command, Option } from 'commander';
import { existsSync } from 'node:fs';
import type { TopicRole } from '@caravan/contract';
import { createPool } from '@caravan/database';
import { CurrencyRateValidity } from '@caravan/ingest';
import { csvColumnsSummary, detectFormat, type ImportFormat, type ImportRecord, readImportFile } from '@caravan/importer';
import { CliError } from '../support/cli-error';
import { type CliContext, cliContext } from '../support/context';
import { openProducer } from '../support/kafka-session';
import { kafkaSink, type RecordSink } from '../support/produce';
import { progressBar } from '../support/progress';

type ImportOptions = { format?: ImportFormat; type?: string; producer?: string; timeZone?: string; unroutable: TopicRole; dryRun?: boolean; strict?: boolean; quiet?: boolean };

const SHOWN_PROBLEMS = 50;

/** `caravan import <file>`: NDJSON envelopes or CSV rows (docs/import.md) to the inbound topics, with the right keys. */
export function registerImport(program: Command): void {
  program
    .command('import')
    .description('produce a file of events to the inbound topics: NDJSON envelopes, or CSV with the column mapping of docs/import.md; malformed lines are reported with their line numbers and still sent, so the DLQ shows them')
    .argument('<file>', '.ndjson/.jsonl or .csv')
    .addOption(new Option('--format <format>', 'override the format the extension implies').choices(['ndjson', 'csv']))
    .option('--type <eventType>', 'CSV without a `type` column: the event type of every row (BookingCreated, BookingCancelled, ArrivalRecorded, MediaViewsReported)')
    .option('--producer <name>', 'CSV without a `producer` column: the envelope producer (default caravan-import)')
    .option('--time-zone <zone>', 'CSV: the IANA zone of occurredAt values written without an offset (default TIME_ZONE)')
    .addOption(new Option('--unroutable <role>', 'topic for lines whose event type cannot be read').choices(['bookings', 'arrivals', 'media']).default('arrivals'))
    .option('--dry-run', 'check the file and report, send nothing')
    .option('--strict', 'send nothing if any line has a problem (exit 1)')
    .option('--quiet', 'no progress bar')
    .addHelpText('after', `\nCSV columns (a header row; see docs/import.md):\n${csvColumnsSummary().replace(/^/gm, '  ')}`)
    .action(async (file: string, options: ImportOptions) => {
      const context = cliContext();
      if (!existsSync(file)) throw new CliError(`${file}: no such file`);
      const format = options.format ?? detectFormat(file);
      if (!format) throw new CliError(`${file}: cannot tell the format from the extension; pass --format ndjson|csv`, 2);
      const hasRate = await currencyCheck(context);
      const read = () => readImportFile(file, { format, type: options.type, producer: options.producer, timeZone: options.timeZone ?? context.config.timeZone, fallbackRole: options.unroutable, nowMs: Date.now(), hasRate });

      const checkOnly = options.dryRun || options.strict;
      const first = await importRecords(read(), checkOnly ? undefined : await sinkFor(context), options);
      if (options.strict && first.problems > 0) throw new CliError(`${first.problems} line(s) with problems: nothing sent (--strict)`);
      if (options.strict && !options.dryRun) await importRecords(read(), await sinkFor(context), { ...options, quiet: true });
      const verb = options.dryRun ? 'checked' : 'sent';
      context.log(`${verb} ${first.records} records from ${file} (${Object.entries(first.byRole).map(([role, n]) => `${context.config.topics[role as TopicRole]} ${n}`).join(', ')})`);
      context.log(`${first.problems} line(s) with problems${first.problems > 0 && !options.dryRun ? ': the pipeline rejects them to the DLQ (`npx caravan dlq list`)' : ''}`);
    });
}

async function sinkFor(context: CliContext): Promise<RecordSink> {
  return kafkaSink(await openProducer(context.config));
}

/** Currency check against PostgreSQL's rates when it answers; without it every ISO code passes locally. */
async function currencyCheck(context: CliContext): Promise<((currency: string, atMs: number) => boolean) | undefined> {
  const pool = createPool({ url: context.config.database.url, poolSize: 1, applicationName: 'caravan-import', limits: context.config.database.limits });
  try {
    const rates = new CurrencyRateValidity(pool);
    await rates.refresh();
    return rates.hasRate;
  } catch {
    return undefined;
  } finally {
    await pool.end();
  }
}

async function importRecords(records: AsyncGenerator<ImportRecord>, sink: RecordSink | undefined, options: ImportOptions) {
  const bar = progressBar('importing', undefined, { quiet: options.quiet, unit: 'records' });
  const byRole: Partial<Record<TopicRole, number>> = {};
  let count = 0;
  let problems = 0;
  let chunk: ImportRecord[] = [];
  const flush = async () => {
    await sink?.write(chunk);
    bar.increment(chunk.length);
    chunk = [];
  };
  try {
    for await (const record of records) {
      count += 1;
      byRole[record.role] = (byRole[record.role] ?? 0) + 1;
      if (record.problem !== undefined) {
        problems += 1;
        if (problems <= SHOWN_PROBLEMS) process.stderr.write(`line ${record.line}: ${record.problem}\n`);
        else if (problems === SHOWN_PROBLEMS + 1) process.stderr.write('… (further problems are counted, not shown)\n');
      }
      chunk.push(record);
      if (chunk.length >= 2_000) await flush();
    }
    await flush();
  } finally {
    bar.stop();
    await sink?.close();
  }
  return { records: count, problems, byRole };
}
