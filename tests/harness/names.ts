import { randomBytes } from 'node:crypto';

let counter = 0;

/** A name no other test, worker or run uses: topics, consumer groups, tables. */
export function uniqueName(prefix: string): string {
  counter += 1;
  return `${prefix}-${process.pid}-${counter}-${randomBytes(3).toString('hex')}`;
}
