import type { TopicRole, ValidationContext } from '@caravan/contract';
import { csvEnvelope, type CsvEnvelopeContext } from './csv-envelope';
import type { CsvRow } from './csv-parser';
import type { ImportRecord } from './import-types';
import { roleOfType, routeOf } from './routing';
import { problemOf } from './validation';

export type CsvRecordContext = CsvEnvelopeContext & { fallbackRole: TopicRole; validation: ValidationContext };

/**
 * The record of one CSV row: the JSON envelope when the row has its header's shape; otherwise the
 * row's own text (which the pipeline rejects as malformed_json), sent unkeyed to its type's topic
 * when the type cell can still be read.
 */
export function csvRecord(row: CsvRow, context: CsvRecordContext): ImportRecord {
  const { columns, indexOf } = context.header;
  const malformed =
    row.error ??
    (row.cells.length === columns.length
      ? undefined
      : `the row has ${row.cells.length} cells, the header ${columns.length}`);
  if (malformed !== undefined) {
    const value = Buffer.from(row.raw, 'utf8');
    const typeAt = indexOf.get('type');
    const type = (typeAt === undefined ? undefined : row.cells[typeAt]) || context.fixedType;
    return withProblem(
      { line: row.line, role: roleOfType(type, context.fallbackRole), key: null, value },
      problemOf(value, context.validation, malformed),
    );
  }
  const envelope = csvEnvelope(row.cells, context);
  const value = Buffer.from(JSON.stringify(envelope), 'utf8');
  return withProblem(
    { line: row.line, ...routeOf(envelope, context.fallbackRole), value },
    problemOf(value, context.validation),
  );
}

function withProblem(record: ImportRecord, problem: string | undefined): ImportRecord {
  return problem === undefined ? record : { ...record, problem };
}
