import { CSV_COLUMNS, type CsvColumnSet, ENVELOPE_COLUMNS, INTEGER_COLUMNS } from './csv-columns';

/** The column tables of docs/import.md, generated so the doc cannot drift from the mapping. */
export function csvColumnsMarkdown(): string {
  const sections = [
    table('Every row (the envelope)', ENVELOPE_COLUMNS, (column) => column),
    ...Object.entries(CSV_COLUMNS).map(([type, set]) => table(`\`${type}\``, set, (column) => `data.${column}`)),
  ];
  return sections.join('\n');
}

function table(title: string, set: CsvColumnSet, field: (column: string) => string): string {
  const row = (column: string, required: string) =>
    `| \`${column}\` | ${required} | \`${field(column)}\` ` +
    `| ${INTEGER_COLUMNS.has(column) ? 'number when the cell is an integer, else text' : 'text'} |`;
  return [
    `#### ${title}`,
    '',
    '| column | required | JSON field | JSON value |',
    '|---|---|---|---|',
    ...set.required.map((column) => row(column, 'yes')),
    ...set.optional.map((column) => row(column, column === 'type' ? 'unless the import gives the type' : 'no')),
    '',
  ].join('\n');
}
