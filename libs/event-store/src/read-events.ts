import type { Pool, PoolClient } from 'pg';
import { eventRegistry } from '@caravan/contract';
import { EVENTS_TABLE, type StoredEvent } from './events';
import { type Position, positionOf } from './position';

type Db = Pool | PoolClient;

/** Positions (after, upper] holding the next `count` events of the store. */
export type StoreRange = { after: Position; upper: Position; count: number };

/**
 * The range of the next `limit` events after `after` (and at most `upTo`, when given), read from
 * the primary key alone; none when caught up. Appends are serialised until commit (appendEvents),
 * so no event can later appear below a position a reader has seen.
 */
export async function nextRange(
  db: Db,
  after: Position,
  limit: number,
  upTo?: Position,
): Promise<StoreRange | undefined> {
  const { rows } = await db.query<{ upper: string | null; n: number }>(
    `SELECT max(position)::text AS upper, count(*)::int AS n
     FROM (SELECT position FROM ${EVENTS_TABLE}
           WHERE position > $1::bigint AND ($3::bigint IS NULL OR position <= $3::bigint)
           ORDER BY position LIMIT $2) next`,
    [after, limit, upTo ?? null],
  );
  const row = rows[0];
  return row?.upper ? { after, upper: positionOf(row.upper), count: row.n } : undefined;
}

/** The events of a range, in position order; only those of `types` when given (the others are not sent). */
export async function readEventsIn(db: Db, range: StoreRange, types?: readonly string[]): Promise<StoredEvent[]> {
  const { rows } = await db.query<{
    position: string;
    event_id: string;
    type: string;
    version: number;
    occurred_ms: number;
    producer: string;
    data: Record<string, unknown>;
  }>(
    `SELECT position::text, event_id, type, version, (extract(epoch FROM occurred_at) * 1000)::float8 AS occurred_ms,
       producer, data
     FROM ${EVENTS_TABLE}
     WHERE position > $1::bigint AND position <= $2::bigint AND ($3::text[] IS NULL OR type = ANY($3::text[]))
     ORDER BY ${EVENTS_TABLE}.position`,
    [range.after, range.upper, types ? [...types] : null],
  );
  return rows.map((r) => ({
    position: positionOf(r.position),
    eventId: r.event_id,
    type: r.type,
    version: r.version,
    occurredAt: new Date(Math.round(r.occurred_ms)),
    producer: r.producer,
    data: eventRegistry.upcast(r.type, r.version, r.data),
  }));
}

/** The next events after `after`, at most `limit`, in position order. */
export async function readEventsAfter(db: Db, after: Position, limit: number): Promise<StoredEvent[]> {
  const range = await nextRange(db, after, limit);
  return range ? readEventsIn(db, range) : [];
}

/** The positions of the events of `types` in a range, ascending. */
export async function positionsIn(db: Db, range: StoreRange, types: readonly string[]): Promise<Position[]> {
  const { rows } = await db.query<{ position: string }>(
    // By the bigint column: the text alias would sort 10 before 9.
    `SELECT position::text FROM ${EVENTS_TABLE}
     WHERE position > $1::bigint AND position <= $2::bigint AND type = ANY($3::text[])
     ORDER BY ${EVENTS_TABLE}.position`,
    [range.after, range.upper, [...types]],
  );
  return rows.map((r) => positionOf(r.position));
}

/** The position of the last event committed: START_OF_STORE for an empty store (read from the primary key). */
export async function headPosition(db: Db): Promise<Position> {
  const { rows } = await db.query<{ head: string | null }>(`SELECT max(position)::text AS head FROM ${EVENTS_TABLE}`);
  return positionOf(rows[0]?.head);
}

/** How many events the store holds (a count over the whole table: for progress bars, not for loops). */
export async function countEvents(db: Db): Promise<number> {
  const { rows } = await db.query<{ n: string }>(`SELECT count(*)::text AS n FROM ${EVENTS_TABLE}`);
  return Number(rows[0]?.n ?? 0);
}
