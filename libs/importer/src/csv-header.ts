import { eventRegistry } from '@caravan/contract';
import { columnsOfType, knownColumns } from './csv-columns';
import type { CsvRow } from './csv-parser';
import { ImportFileError } from './import-file-error';

/** The columns of a CSV file, in order, and the position of each. */
export type CsvHeader = { columns: readonly string[]; indexOf: ReadonlyMap<string, number> };

/**
 * Checks the header row once, before any row is sent: a mistake here would make every row wrong,
 * so it stops the import with one clear line instead of filling the DLQ. Names are trimmed and
 * case-sensitive.
 */
export function readHeader(row: CsvRow | undefined, fixedType: string | undefined): CsvHeader {
  if (!row) throw new ImportFileError('the CSV file is empty: its first row must name the columns');
  if (row.error) throw new ImportFileError(`the CSV header (line ${row.line}) is malformed: ${row.error}`);
  const columns = row.cells.map((cell) => cell.trim());
  const indexOf = new Map<string, number>();
  const known = new Set(knownColumns());
  columns.forEach((name, i) => {
    if (name === '') throw new ImportFileError(`column ${i + 1} of the CSV header has no name`);
    if (indexOf.has(name)) throw new ImportFileError(`the CSV header names column ${JSON.stringify(name)} twice`);
    if (!known.has(name)) {
      throw new ImportFileError(
        `unknown CSV column ${JSON.stringify(name)}: no event type maps it (columns: ${[...known].join(', ')})`,
      );
    }
    indexOf.set(name, i);
  });
  if (!indexOf.has('occurredAt')) throw new ImportFileError('the CSV header has no "occurredAt" column');
  checkType(indexOf, fixedType);
  return { columns, indexOf };
}

function checkType(indexOf: ReadonlyMap<string, number>, fixedType: string | undefined): void {
  if (fixedType === undefined) {
    if (!indexOf.has('type'))
      throw new ImportFileError('the CSV header has no "type" column and no event type was given for its rows');
    return;
  }
  const mapping = columnsOfType(fixedType);
  if (!mapping || !eventRegistry.get(fixedType)) {
    const types = eventRegistry
      .types()
      .map((d) => d.type)
      .join(', ');
    throw new ImportFileError(`unknown event type ${JSON.stringify(fixedType)}: expected one of ${types}`);
  }
  // Without a type column every row is of this type, so a missing required column would reject them all.
  const missing = indexOf.has('type') ? [] : mapping.required.filter((name) => !indexOf.has(name));
  if (missing.length > 0) throw new ImportFileError(`${fixedType} rows need the CSV column(s) ${missing.join(', ')}`);
}
