/**
 * A place in the event store: the position of an event (a bigserial, handed out in commit order).
 * One type from the store through the projections' checkpoints to the snapshots' `position`:
 * a JavaScript number, exact up to 2^53 − 1 events (about 9 × 10^15), far beyond any store.
 */
export type Position = number;

/** Before the first event: where a new reader starts. */
export const START_OF_STORE: Position = 0;

/** A position as PostgreSQL returns a bigint (text), or START_OF_STORE for none. */
export function positionOf(text: string | null | undefined): Position {
  if (text === null || text === undefined) return START_OF_STORE;
  const position = Number(text);
  if (!Number.isSafeInteger(position) || position < 0) throw new Error(`not an event-store position: ${text}`);
  return position;
}
