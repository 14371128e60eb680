export { byteLines } from './byte-lines';
export {
  CSV_COLUMNS,
  ENVELOPE_COLUMNS,
  INTEGER_COLUMNS,
  csvColumnsSummary,
  knownColumns,
  type CsvColumnSet,
} from './csv-columns';
export { csvColumnsMarkdown } from './csv-columns-markdown';
export { parseCsv, type CsvRow } from './csv-parser';
export { csvRecords, DEFAULT_PRODUCER } from './csv-records';
export { detectFormat } from './detect-format';
export { ImportFileError } from './import-file-error';
export type { ImportFormat, ImportOptions, ImportRecord } from './import-types';
export { ndjsonRecords } from './ndjson';
export { readImportFile } from './read-import-file';
export { toOccurredAt } from './local-time';
