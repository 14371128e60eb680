import type { PoolClient, Pool } from 'pg';
import { eventRegistry } from '@caravan/contract';
import type { Candidate } from './classify';

export type AppendResult = { inserted: Map<string, string>; storedHash: Map<string, string> };

/**
 * Appends the events set-based, in the given order; an eventId already stored is left alone.
 * Returns the positions of the appended events and the content hash stored for every eventId.
 *
 * Must run inside the caller's transaction: appends are serialised by a transaction-level lock
 * held until that transaction ends, so positions are handed out in commit order. A reader that
 * sees position p therefore sees every event below p (gaps are rolled-back or duplicate rows that
 * never come back), and "reflects position p" means "reflects every event up to p".
 */
export async function appendEvents(client: PoolClient, events: Candidate[]): Promise<AppendResult> {
  const inserted = new Map<string, string>();
  const storedHash = new Map<string, string>();
  if (events.length === 0) return { inserted, storedHash };
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [APPEND_LOCK]);
  const { rows } = await client.query<{ event_id: string; position: string }>(
    `INSERT INTO events (event_id, type, version, occurred_at, producer, data, content_hash, source_topic, source_partition, source_offset)
     SELECT e.event_id, e.type, e.version, e.occurred_at, e.producer, e.data, decode(e.hash, 'hex'), e.source_topic, e.source_partition, e.source_offset
     FROM unnest($1::uuid[], $2::text[], $3::int[], $4::timestamptz[], $5::text[], string_to_array($6, E'\\x1e')::jsonb[], $7::text[],
                 $8::text[], $9::int[], $10::bigint[])
          WITH ORDINALITY AS e(event_id, type, version, occurred_at, producer, data, hash, source_topic, source_partition, source_offset, ord)
     ORDER BY e.ord
     ON CONFLICT (event_id) DO NOTHING
     RETURNING event_id, position`,
    [
      events.map((e) => e.eventId),
      events.map((e) => e.type),
      events.map((e) => e.version),
      events.map((e) => e.occurredAt),
      events.map((e) => e.producer),
      // The data as one text, separated by U+001E: JSON.stringify escapes every control character,
      // so the separator cannot occur inside, and no array-literal escaping pass is needed.
      events.map((e) => JSON.stringify(e.data)).join(RECORD_SEPARATOR),
      events.map((e) => e.contentHash),
      events.map((e) => e.topic),
      events.map((e) => e.partition),
      events.map((e) => e.offset),
    ],
  );
  for (const row of rows) inserted.set(row.event_id, row.position);
  for (const e of events) if (inserted.has(e.eventId)) storedHash.set(e.eventId, e.contentHash);

  // A separate statement: its snapshot sees rows that a concurrent transaction committed while
  // our INSERT waited on them.
  const existing = events.filter((e) => !inserted.has(e.eventId)).map((e) => e.eventId);
  if (existing.length > 0) {
    const found = await client.query<{ event_id: string; hash: string }>(
      `SELECT event_id, encode(content_hash, 'hex') AS hash FROM events WHERE event_id = ANY($1::uuid[])`,
      [existing],
    );
    for (const row of found.rows) storedHash.set(row.event_id, row.hash);
  }
  return { inserted, storedHash };
}

const RECORD_SEPARATOR = '\x1e';

/** The advisory lock that serialises appends (per database). */
export const APPEND_LOCK = 'caravan:event-store-append';

export type StoredEvent = {
  position: bigint;
  eventId: string;
  type: string;
  /** The version the producer wrote; `data` is read as the current version of `type`. */
  version: number;
  occurredAt: Date;
  producer: string;
  data: Record<string, unknown>;
};

/** A reader's place in the store: the position of the last event it read. */
export type StoreCheckpoint = { position: bigint };
export const START_OF_STORE: StoreCheckpoint = { position: 0n };

/**
 * The next events after `after`, in position order. Appends are serialised until commit
 * (`appendEvents`), so no event can later appear below a position a reader has seen.
 */
export async function readEventsAfter(
  db: Pool | PoolClient,
  after: StoreCheckpoint,
  limit: number,
): Promise<StoredEvent[]> {
  const range = await nextRange(db, after, limit);
  return range ? readEventsIn(db, range) : [];
}

/** Positions (after, upper] holding the next `count` events (at most `limit`). */
export type StoreRange = { after: bigint; upper: bigint; count: number };

/**
 * The range of the next `limit` events after `after` (and at most `upTo`, when given), read from
 * the primary key alone; none when caught up.
 */
export async function nextRange(
  db: Pool | PoolClient,
  after: StoreCheckpoint,
  limit: number,
  upTo?: bigint,
): Promise<StoreRange | undefined> {
  const { rows } = await db.query<{ upper: string | null; n: number }>(
    `SELECT max(position)::text AS upper, count(*)::int AS n
     FROM (SELECT position FROM events WHERE position > $1::bigint AND ($3::bigint IS NULL OR position <= $3::bigint) ORDER BY position LIMIT $2) next`,
    [after.position.toString(), limit, upTo?.toString() ?? null],
  );
  const row = rows[0];
  return row?.upper ? { after: after.position, upper: BigInt(row.upper), count: row.n } : undefined;
}

/** The events of a range, in position order; only those of `types` when given (the others are not sent). */
export async function readEventsIn(
  db: Pool | PoolClient,
  range: StoreRange,
  types?: readonly string[],
): Promise<StoredEvent[]> {
  const { rows } = await db.query<{
    position: string;
    event_id: string;
    type: string;
    version: number;
    occurred_ms: number;
    producer: string;
    data: Record<string, unknown>;
  }>(
    `SELECT position::text, event_id, type, version, (extract(epoch FROM occurred_at) * 1000)::float8 AS occurred_ms, producer, data
     FROM events
     WHERE position > $1::bigint AND position <= $2::bigint AND ($3::text[] IS NULL OR type = ANY($3::text[]))
     ORDER BY events.position`,
    [range.after.toString(), range.upper.toString(), types ? [...types] : null],
  );
  return rows.map((r) => ({
    position: BigInt(r.position),
    eventId: r.event_id,
    type: r.type,
    version: r.version,
    occurredAt: new Date(Math.round(r.occurred_ms)),
    producer: r.producer,
    data: eventRegistry.upcast(r.type, r.version, r.data),
  }));
}
