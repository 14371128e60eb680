import { validateRecord, type ValidationContext } from '@caravan/contract';
import type { ImportOptions, ImportRecord } from './import-types';
import { routeOf } from './routing';
import { validationContextOf } from './validation';

const CR = 0x0d;
const LF = 0x0a;
const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

/**
 * One record per non-blank line, sent as the line's exact bytes (line ending and a file's leading
 * UTF-8 BOM removed). Line numbers are 1-based and count blank lines, which are skipped.
 * Strings are encoded as UTF-8; give Buffers (see byteLines) to keep a file's bytes untouched.
 */
export async function* ndjsonRecords(
  lines: AsyncIterable<string | Uint8Array> | Iterable<string | Uint8Array>,
  options: ImportOptions,
): AsyncGenerator<ImportRecord> {
  const context = validationContextOf(options);
  let line = 0;
  for await (const text of lines) {
    line += 1;
    const value = withoutBom(withoutLineEnding(toBuffer(text)), line === 1);
    if (isBlank(value)) continue;
    yield ndjsonRecord(line, value, options, context);
  }
}

function ndjsonRecord(line: number, value: Buffer, options: ImportOptions, context: ValidationContext): ImportRecord {
  const result = validateRecord(value, context);
  if (result.ok) return { line, ...routeOf(result.event, options.fallbackRole), value };
  const problem = `${result.rejection.code}: ${result.rejection.detail}`;
  return { line, ...routeOf(parseOrUndefined(value), options.fallbackRole), value, problem };
}

function parseOrUndefined(value: Buffer): unknown {
  try {
    return JSON.parse(value.toString('utf8'));
  } catch {
    return undefined;
  }
}

function toBuffer(text: string | Uint8Array): Buffer {
  return typeof text === 'string'
    ? Buffer.from(text, 'utf8')
    : Buffer.from(text.buffer, text.byteOffset, text.byteLength);
}

function withoutLineEnding(value: Buffer): Buffer {
  let end = value.length;
  if (end > 0 && value[end - 1] === LF) end -= 1;
  if (end > 0 && value[end - 1] === CR) end -= 1;
  return value.subarray(0, end);
}

// Editors on Windows start files with a BOM; it marks the file, not the first record.
function withoutBom(value: Buffer, firstLine: boolean): Buffer {
  return firstLine && value.subarray(0, 3).equals(BOM) ? value.subarray(3) : value;
}

function isBlank(value: Buffer): boolean {
  return value.every((byte) => byte === 0x20 || byte === 0x09 || byte === CR);
}
