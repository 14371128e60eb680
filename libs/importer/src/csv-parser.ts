import { ImportFileError } from './import-file-error';

/** One CSV record: its cells, the line it starts on (1-based), its source text, and why it is malformed if it is. */
export type CsvRow = { line: number; cells: string[]; raw: string; error?: string };

/** A row longer than this is taken for an unclosed quote swallowing the rest of the file. */
export const MAX_ROW_CHARS = 1024 * 1024;

const QUOTE = 0x22;
const COMMA = 0x2c;
const LF = 0x0a;
const CR = 0x0d;
const BOM = 0xfeff;

type State = 'fieldStart' | 'unquoted' | 'quoted' | 'quoteInQuoted' | 'crAfterQuote';

/**
 * RFC 4180 rows from text in chunks of any size (a quoted field may span chunks and lines): commas,
 * double quotes doubled inside quoted fields, LF or CRLF line ends, a leading UTF-8 BOM dropped.
 * Blank lines are skipped. A quote inside an unquoted field is kept as a character; text after a
 * closing quote, or a quote never closed, marks the row with `error` instead of stopping the file.
 */
export async function* parseCsv(
  chunks: AsyncIterable<string> | Iterable<string>,
  maxRowChars = MAX_ROW_CHARS,
): AsyncGenerator<CsvRow> {
  const parser = new CsvParser(maxRowChars);
  for await (const chunk of chunks) yield* parser.feed(chunk);
  yield* parser.end();
}

class CsvParser {
  private state: State = 'fieldStart';
  private started = false;
  private inRow = false;
  private line = 1;
  private rowLine = 1;
  private cells: string[] = [];
  private field = '';
  private raw = '';
  private error: string | undefined;

  constructor(private readonly maxRowChars: number) {}

  *feed(chunk: string): Generator<CsvRow> {
    let i = 0;
    if (!this.started && chunk.length > 0) {
      this.started = true;
      if (chunk.charCodeAt(0) === BOM) i = 1;
    }
    // Fields and raw text are sliced out of the chunk rather than built a character at a time.
    let rowStart = i;
    let fieldStart = i;
    for (; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (!this.inRow) {
        this.inRow = true;
        this.rowLine = this.line;
        rowStart = i;
      }
      let endOfRow = false;
      switch (this.state) {
        case 'fieldStart':
          if (c === QUOTE) {
            this.state = 'quoted';
            fieldStart = i + 1;
          } else if (c === COMMA) this.cells.push('');
          else if (c === LF) {
            this.cells.push('');
            endOfRow = true;
          } else {
            this.state = 'unquoted';
            fieldStart = i;
          }
          break;
        case 'unquoted':
          if (c === COMMA || c === LF) {
            this.field += chunk.slice(fieldStart, i);
            if (c === LF && this.field.endsWith('\r')) this.field = this.field.slice(0, -1);
            this.pushField();
            endOfRow = c === LF;
          }
          break;
        case 'quoted':
          if (c === QUOTE) {
            this.field += chunk.slice(fieldStart, i);
            this.state = 'quoteInQuoted';
          }
          break;
        case 'quoteInQuoted':
          if (c === QUOTE) {
            this.field += '"';
            this.state = 'quoted';
            fieldStart = i + 1;
          } else if (c === COMMA || c === LF) {
            this.pushField();
            endOfRow = c === LF;
          } else if (c === CR) this.state = 'crAfterQuote';
          else {
            this.markError('text after the closing quote of a field');
            this.state = 'unquoted';
            fieldStart = i;
          }
          break;
        case 'crAfterQuote':
          if (c === LF) {
            this.pushField();
            endOfRow = true;
          } else {
            // A lone CR after a closing quote: keep it as text and read this character again as unquoted text.
            this.markError('text after the closing quote of a field');
            this.field += '\r';
            this.state = 'unquoted';
            fieldStart = i;
            i -= 1;
            continue;
          }
          break;
      }
      if (c === LF) {
        this.line += 1;
        if (endOfRow) {
          this.raw += chunk.slice(rowStart, i);
          const row = this.takeRow();
          if (row) yield row;
        }
      }
    }
    if (this.inRow) {
      this.raw += chunk.slice(rowStart);
      if (this.state === 'unquoted' || this.state === 'quoted') this.field += chunk.slice(fieldStart);
      if (this.raw.length > this.maxRowChars) {
        throw new ImportFileError(
          `the CSV row starting on line ${this.rowLine} is longer than ${this.maxRowChars} ` +
            `characters: is a closing quote missing?`,
        );
      }
    }
  }

  *end(): Generator<CsvRow> {
    if (!this.inRow) return;
    if (this.state === 'quoted')
      this.markError(`a quoted field of the row starting on line ${this.rowLine} is never closed`);
    if (this.state === 'unquoted' && this.field.endsWith('\r')) this.field = this.field.slice(0, -1);
    this.pushField();
    const row = this.takeRow();
    if (row) yield row;
  }

  private pushField(): void {
    this.cells.push(this.field);
    this.field = '';
    this.state = 'fieldStart';
  }

  private markError(message: string): void {
    this.error ??= message;
  }

  /** The finished row, or undefined for a blank line. */
  private takeRow(): CsvRow | undefined {
    const raw = this.raw.endsWith('\r') ? this.raw.slice(0, -1) : this.raw;
    const row: CsvRow = { line: this.rowLine, cells: this.cells, raw, ...(this.error ? { error: this.error } : {}) };
    this.cells = [];
    this.raw = '';
    this.error = undefined;
    this.inRow = false;
    this.state = 'fieldStart';
    const blank = row.cells.length === 1 && row.cells[0] === '' && !row.error;
    return blank ? undefined : row;
  }
}
