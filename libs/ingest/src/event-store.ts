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
export async function appendEvents(
  client: PoolClient,
  source: { topic: string; partition: number },
  events: Candidate[],
): Promise<AppendResult> {
  const inserted = new Map<string, string>();
  const storedHash = new Map<string, string>();
  if (events.length === 0) return { inserted, storedHash };
  await client.query('SELECT pg_advisory_xact_lock(hashtext($1))', [APPEND_LOCK]);
  const { rows } = await client.query<{ event_id: string; position: string }>(
    `INSERT INTO events (event_id, type, version, occurred_at, producer, data, content_hash, source_topic, source_partition, source_offset)
     SELECT e.event_id, e.type, e.version, e.occurred_at, e.producer, e.data, decode(e.hash, 'hex'), $8, $9, e.source_offset
     FROM unnest($1::uuid[], $2::text[], $3::int[], $4::timestamptz[], $5::text[], $6::jsonb[], $7::text[], $10::bigint[])
          WITH ORDINALITY AS e(event_id, type, version, occurred_at, producer, data, hash, source_offset, ord)
     ORDER BY e.ord
     ON CONFLICT (event_id) DO NOTHING
     RETURNING event_id, position`,
    [
      events.map((e) => e.eventId),
      events.map((e) => e.type),
      events.map((e) => e.version),
      events.map((e) => e.occurredAt),
      events.map((e) => e.producer),
      events.map((e) => JSON.stringify(e.data)),
      events.map((e) => e.contentHash),
      source.topic,
      source.partition,
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

/** The advisory lock that serialises appends (per database). */
export const APPEND_LOCK = 'caravan:event-store-append';

export type StoredEvent = {
  position: bigint;
  transactionId: bigint;
  eventId: string;
  type: string;
  /** The version the producer wrote; `data` is read as the current version of `type`. */
  version: number;
  occurredAt: Date;
  producer: string;
  data: Record<string, unknown>;
};

/** A reader's place in the store: the (transaction id, position) of the last event it read. */
export type StoreCheckpoint = { transactionId: bigint; position: bigint };
export const START_OF_STORE: StoreCheckpoint = { transactionId: 0n, position: 0n };

/**
 * The next events after `after`, in position order. Appends are serialised until commit
 * (`appendEvents`), so no event can later appear below a position a reader has seen.
 */
export async function readEventsAfter(pool: Pool | PoolClient, after: StoreCheckpoint, limit: number): Promise<StoredEvent[]> {
  const { rows } = await pool.query<{
    position: string;
    transaction_id: string;
    event_id: string;
    type: string;
    version: number;
    occurred_at: Date;
    producer: string;
    data: Record<string, unknown>;
  }>(
    `SELECT position, transaction_id::text AS transaction_id, event_id, type, version, occurred_at, producer, data
     FROM events
     WHERE position > $1::bigint
     ORDER BY position
     LIMIT $2`,
    [after.position.toString(), limit],
  );
  return rows.map((r) => ({
    position: BigInt(r.position),
    transactionId: BigInt(r.transaction_id),
    eventId: r.event_id,
    type: r.type,
    version: r.version,
    occurredAt: r.occurred_at,
    producer: r.producer,
    data: eventRegistry.upcast(r.type, r.version, r.data),
  }));
}
