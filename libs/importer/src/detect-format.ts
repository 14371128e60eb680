import { extname } from 'node:path';
import type { ImportFormat } from './import-types';

const BY_EXTENSION: Record<string, ImportFormat> = {
  '.ndjson': 'ndjson',
  '.jsonl': 'ndjson',
  '.json': 'ndjson',
  '.csv': 'csv',
};

/** The format a file's extension names (case-insensitive), or undefined when it names none. */
export function detectFormat(path: string): ImportFormat | undefined {
  const extension = extname(path).toLowerCase();
  return Object.hasOwn(BY_EXTENSION, extension) ? BY_EXTENSION[extension] : undefined;
}
