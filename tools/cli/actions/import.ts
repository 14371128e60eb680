import { existsSync } from 'node:fs';
import type { TopicRole } from '@caravan/contract';
import { createPool } from '@caravan/database';
import { CurrencyRateValidity } from '@caravan/ingest';
import { detectFormat, type ImportRecord, readImportFile } from '@caravan/importer';
import type { ImportOptions } from '../commands/import';
import { CliError } from '../support/cli-error';
import { type CliContext, cliContext } from '../support/context';
import { openProducer } from '../support/kafka-session';
import { kafkaSink, type RecordSink } from '../support/produce';
import { progressBar } from '../support/progress';

const SHOWN_PROBLEMS = 50;

/** `caravan import <file>`: checks the file, then produces it (or, with --dry-run, only checks it). */
export async function importFile(file: string, options: ImportOptions): Promise<void> {
  const context = cliContext();
  if (!existsSync(file)) throw new CliError(`${file}: no such file`);
  const format = options.format ?? detectFormat(file);
  if (!format) throw new CliError(`${file}: cannot tell the format from the extension; pass --format ndjson|csv`, 2);
  const hasRate = await currencyCheck(context);
  const read = () =>
    readImportFile(file, {
      format,
      type: options.type,
      producer: options.producer,
      timeZone: options.timeZone ?? context.config.timeZone,
      fallbackRole: options.unroutable,
      nowMs: Date.now(),
      hasRate,
    });

  const checkOnly = options.dryRun || options.strict;
  const first = await importRecords(read(), checkOnly ? undefined : await sinkFor(context), options);
  if (options.strict && first.problems > 0)
    throw new CliError(`${first.problems} line(s) with problems: nothing sent (--strict)`);
  if (options.strict && !options.dryRun)
    await importRecords(read(), await sinkFor(context), { ...options, quiet: true });
  const verb = options.dryRun ? 'checked' : 'sent';
  context.log(
    `${verb} ${first.records} records from ${file} (${Object.entries(first.byRole)
      .map(([role, n]) => `${context.config.topics[role as TopicRole]} ${n}`)
      .join(', ')})`,
  );
  context.log(
    `${first.problems} line(s) with problems` +
      (first.problems > 0 && !options.dryRun ? ': the pipeline rejects them to the DLQ (`npx caravan dlq list`)' : ''),
  );
}

async function sinkFor(context: CliContext): Promise<RecordSink> {
  return kafkaSink(await openProducer(context.config));
}

/** Currency check against PostgreSQL's rates when it answers; without it every ISO code passes locally. */
async function currencyCheck(context: CliContext): Promise<((currency: string, atMs: number) => boolean) | undefined> {
  const pool = createPool({
    url: context.config.database.url,
    poolSize: 1,
    applicationName: 'caravan-import',
    limits: context.config.database.limits,
  });
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

async function importRecords(
  records: AsyncGenerator<ImportRecord>,
  sink: RecordSink | undefined,
  options: ImportOptions,
) {
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
