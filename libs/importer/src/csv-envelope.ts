import { columnsOfType, ENVELOPE_COLUMNS, INTEGER_COLUMNS } from './csv-columns';
import type { CsvHeader } from './csv-header';
import type { EventIdDeriver } from './event-id';
import { toOccurredAt } from './local-time';

export type CsvEnvelopeContext = {
  header: CsvHeader;
  /** The type of rows whose `type` cell is absent or empty. */
  fixedType: string | undefined;
  producer: string;
  timeZone: string;
  deriveEventId: EventIdDeriver;
};

const ENVELOPE = new Set([...ENVELOPE_COLUMNS.required, ...ENVELOPE_COLUMNS.optional]);
const INTEGER = /^-?\d+$/;

/**
 * The envelope of a row with as many cells as the header. Cells are taken as written: what the
 * pipeline would reject (a non-integer travelers, an empty required cell…) is left for it to
 * reject with its own code and paths, so the importer and the DLQ say the same thing.
 */
export function csvEnvelope(cells: readonly string[], context: CsvEnvelopeContext): Record<string, unknown> {
  const { type: typeCell, eventId, ...content } = nonEmptyCells(context.header.columns, cells);
  const type = typeCell ?? context.fixedType;
  const { version, occurredAt, producer } = content;
  return {
    eventId: eventId ?? context.deriveEventId(type ?? '', content),
    type,
    version: version === undefined ? 1 : cellValue('version', version),
    occurredAt: occurredAt === undefined ? undefined : toOccurredAt(occurredAt, context.timeZone),
    producer: producer ?? context.producer,
    data: dataOf(type, content),
  };
}

/**
 * `data` from the cells of the type's columns; for a type without a mapping, from every data cell,
 * so the DLQ shows them.
 */
function dataOf(type: string | undefined, cells: Readonly<Record<string, string>>): Record<string, unknown> {
  const mapping = type === undefined ? undefined : columnsOfType(type);
  const columns = mapping
    ? [...mapping.required, ...mapping.optional]
    : Object.keys(cells).filter((c) => !ENVELOPE.has(c));
  const data: Record<string, unknown> = {};
  for (const column of columns) {
    const cell = cells[column];
    if (cell !== undefined) setPath(data, column.split('.'), cellValue(column, cell));
  }
  return data;
}

function cellValue(column: string, cell: string): string | number {
  return INTEGER_COLUMNS.has(column) && INTEGER.test(cell) ? Number(cell) : cell;
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  const [head, ...tail] = path as [string, ...string[]];
  if (tail.length === 0) {
    target[head] = value;
    return;
  }
  const child = (target[head] ??= {}) as Record<string, unknown>;
  setPath(child, tail, value);
}

/** Column → cell for the cells that hold something; an empty cell is as if the column were absent. */
function nonEmptyCells(columns: readonly string[], cells: readonly string[]): Record<string, string> {
  const row: Record<string, string> = {};
  columns.forEach((column, i) => {
    const cell = cells[i];
    if (cell !== undefined && cell !== '') row[column] = cell;
  });
  return row;
}
