import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { byteLines } from './byte-lines';
import { csvRecords } from './csv-records';
import { detectFormat } from './detect-format';
import { ImportFileError } from './import-file-error';
import type { ImportOptions, ImportRecord } from './import-types';
import { ndjsonRecords } from './ndjson';

/**
 * The records of a file, streamed (memory does not grow with the file). NDJSON is split as bytes
 * so every line is sent exactly as stored; CSV is decoded as UTF-8. Whole-file problems throw
 * ImportFileError, its message prefixed with the path, before the first record.
 */
export async function* readImportFile(path: string, options: ImportOptions): AsyncGenerator<ImportRecord> {
  const format = options.format ?? detectFormat(path);
  if (!format)
    throw new ImportFileError(
      `${path}: cannot tell the format from the extension (.ndjson, .jsonl, .json or .csv); give it as ndjson or csv`,
    );
  await assertFile(path);
  try {
    if (format === 'ndjson') yield* ndjsonRecords(byteLines(createReadStream(path)), options);
    else yield* csvRecords(createReadStream(path, { encoding: 'utf8' }), options);
  } catch (error) {
    if (error instanceof ImportFileError) throw new ImportFileError(`${path}: ${error.message}`);
    throw error;
  }
}

async function assertFile(path: string): Promise<void> {
  const stats = await stat(path).catch((error: NodeJS.ErrnoException) => {
    throw new ImportFileError(`${path}: cannot read it (${error.code ?? error.message})`);
  });
  if (!stats.isFile()) throw new ImportFileError(`${path}: not a file`);
}
