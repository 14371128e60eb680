import { readHeader } from './csv-header';
import { parseCsv } from './csv-parser';
import { csvRecord } from './csv-record';
import { createEventIdDeriver } from './event-id';
import { ImportFileError } from './import-file-error';
import type { ImportOptions, ImportRecord } from './import-types';
import { isTimeZone } from './local-time';
import { validationContextOf } from './validation';

export const DEFAULT_PRODUCER = 'caravan-import';

/**
 * One record per CSV row after the header, in file order, `line` being the line the row starts
 * on. Throws ImportFileError before the first record when the header, the type or the time zone
 * is wrong; a bad row never stops the file (it is sent with its `problem`).
 */
export async function* csvRecords(
  chunks: AsyncIterable<string> | Iterable<string>,
  options: ImportOptions,
): AsyncGenerator<ImportRecord> {
  if (!isTimeZone(options.timeZone))
    throw new ImportFileError(
      `unknown time zone ${JSON.stringify(options.timeZone)}: expected an IANA name such as Asia/Almaty`,
    );
  const rows = parseCsv(chunks);
  const first = await rows.next();
  const context = {
    header: readHeader(first.done ? undefined : first.value, options.type),
    fixedType: options.type,
    producer: options.producer ?? DEFAULT_PRODUCER,
    timeZone: options.timeZone,
    deriveEventId: createEventIdDeriver(),
    fallbackRole: options.fallbackRole,
    validation: validationContextOf(options),
  };
  for await (const row of rows) yield csvRecord(row, context);
}
