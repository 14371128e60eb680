import { createHash } from 'node:crypto';

/** Derives the eventId of a CSV row that has none; one deriver per file, since it counts identical rows. */
export type EventIdDeriver = (type: string, cells: Readonly<Record<string, string>>) => string;

/**
 * Ids that depend only on the row's type and non-empty cells (by column name, so column order does
 * not matter) and on how many identical rows came before it in the file: importing a file again
 * gives the same ids, so the pipeline counts duplicates instead of counting twice, while two
 * identical rows in one file stay two events.
 */
export function createEventIdDeriver(): EventIdDeriver {
  // Keyed by 16 bytes of digest rather than the row text, to keep a file of millions of rows in memory.
  const seen = new Map<string, number>();
  return (type, cells) => {
    const content = rowIdentity(type, cells);
    const key = createHash('sha256').update(content).digest().subarray(0, 16).toString('base64');
    const occurrence = (seen.get(key) ?? 0) + 1;
    seen.set(key, occurrence);
    return uuidFromSha256(`caravan-import\n${content}\n${occurrence}`);
  };
}

/** The row as text that does not depend on column order: `["type",["column","cell"],…]`, columns sorted. */
export function rowIdentity(type: string, cells: Readonly<Record<string, string>>): string {
  return JSON.stringify([
    type,
    ...Object.keys(cells)
      .sort()
      .map((column) => [column, cells[column]]),
  ]);
}

/** An RFC 9562 version 8 UUID (name-based, custom hash) from the first 16 bytes of sha256(text). */
export function uuidFromSha256(text: string): string {
  const bytes = createHash('sha256').update(text).digest().subarray(0, 16);
  bytes[6] = ((bytes[6] as number) & 0x0f) | 0x80;
  bytes[8] = ((bytes[8] as number) & 0x3f) | 0x80;
  const hex = bytes.toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
