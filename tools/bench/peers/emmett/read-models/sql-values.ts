import { plainString, SQL } from '@event-driven-io/dumbo';

export type SqlValue = string | number | bigint;

/** `(…), (…)` with every value quoted as a literal: the rows of one multi-row INSERT. */
export function valuesOf(rows: readonly (readonly SqlValue[])[]): ReturnType<typeof plainString> {
  return plainString(rows.map((row) => `(${row.map((value) => SQL`${value}`).join(', ')})`).join(', '));
}

/** Applies `add` to the entry at `key`, creating it from `init` first when missing. */
export function addTo<Row>(rows: Map<string, Row>, key: string, init: () => Row, add: (row: Row) => void): void {
  let row = rows.get(key);
  if (!row) rows.set(key, (row = init()));
  add(row);
}
