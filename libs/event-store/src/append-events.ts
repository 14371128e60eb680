import type { PoolClient } from 'pg';
import { EVENTS_TABLE, type NewEvent } from './events';
import { type Position, positionOf } from './position';

export type AppendResult = {
  /** The position of each event this call appended, by eventId. */
  inserted: Map<string, Position>;
  /** The content hash stored for every eventId offered (appended now or before). */
  storedHash: Map<string, string>;
};

/** The advisory lock that serialises appends (per database). */
export const APPEND_LOCK = 'caravan:event-store-append';

const RECORD_SEPARATOR = '\x1e';

/**
 * Appends the events set-based, in the given order; an eventId already stored is left alone.
 *
 * Must run inside the caller's transaction: appends are serialised by a transaction-level lock
 * held until that transaction ends, so positions are handed out in commit order. A reader that
 * sees position p therefore sees every event below p (gaps are rolled-back or duplicate rows that
 * never come back), and "reflects position p" means "reflects every event up to p".
 */
export async function appendEvents(client: PoolClient, events: readonly NewEvent[]): Promise<AppendResult> {
  const inserted = new Map<string, Position>();
  const storedHash = new Map<string, string>();
  if (events.length === 0) return { inserted, storedHash };
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [APPEND_LOCK]);
  const { rows } = await client.query<{ event_id: string; position: string }>(
    `INSERT INTO ${EVENTS_TABLE} (event_id, type, version, occurred_at, producer, data, content_hash, source_topic,
       source_partition, source_offset)
     SELECT e.event_id, e.type, e.version, e.occurred_at, e.producer, e.data, decode(e.hash, 'hex'), e.source_topic,
       e.source_partition, e.source_offset
     FROM unnest($1::uuid[], $2::text[], $3::int[], $4::timestamptz[], $5::text[],
                 string_to_array($6, E'\\x1e')::jsonb[], $7::text[], $8::text[], $9::int[], $10::bigint[])
          WITH ORDINALITY AS e(event_id, type, version, occurred_at, producer, data, hash, source_topic,
            source_partition, source_offset, ord)
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
      events.map((e) => e.source.topic),
      events.map((e) => e.source.partition),
      events.map((e) => e.source.offset),
    ],
  );
  for (const row of rows) inserted.set(row.event_id, positionOf(row.position));
  for (const e of events) if (inserted.has(e.eventId)) storedHash.set(e.eventId, e.contentHash);

  // A separate statement: its snapshot sees rows that a concurrent transaction committed while
  // our INSERT waited on them.
  const existing = events.filter((e) => !inserted.has(e.eventId)).map((e) => e.eventId);
  if (existing.length > 0) {
    const found = await client.query<{ event_id: string; hash: string }>(
      `SELECT event_id, encode(content_hash, 'hex') AS hash FROM ${EVENTS_TABLE} WHERE event_id = ANY($1::uuid[])`,
      [existing],
    );
    for (const row of found.rows) storedHash.set(row.event_id, row.hash);
  }
  return { inserted, storedHash };
}
