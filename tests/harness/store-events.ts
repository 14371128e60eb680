import type { Pool } from 'pg';
import { buildEvent, validateRecord } from '@caravan/contract';
import { withTransaction } from '@caravan/database';
import { appendEvents } from '@caravan/event-store';
import { candidatesOf } from '@caravan/ingest';
import type { KafkaRecord } from '@caravan/kafka';
import type { OutgoingEvent } from '@caravan/kafka';
import { catchUp, ensureProjectionTables, type Projection, PROJECTIONS, tableNames } from '@caravan/projections';

let offset = 0;

/** Appends valid events to the store as the ingestor does, `perTransaction` at a time (no Kafka). */
export async function storeEvents(pool: Pool, events: OutgoingEvent[], perTransaction = 1_000): Promise<void> {
  for (let i = 0; i < events.length; i += perTransaction) {
    const results = events.slice(i, i + perTransaction).map((e) => ({
      record: {
        topic: 'test',
        partition: 0,
        offset: String(offset++),
        key: null,
        value: null,
        timestamp: '0',
      } as KafkaRecord,
      result: validateRecord(Buffer.from(JSON.stringify(e)), { nowMs: Date.now(), hasRate: () => true }),
    }));
    await withTransaction(pool, (c) => appendEvents(c, candidatesOf(results)));
  }
}

/** Brings every projection (or those given) up to the head of the store, on their live tables. */
export async function projectAll(
  pool: Pool,
  options: { timeZone: string; batchSize?: number },
  projections: readonly Projection[] = PROJECTIONS,
): Promise<void> {
  const client = await pool.connect();
  try {
    for (const p of projections) {
      await ensureProjectionTables(client, p, tableNames(p));
      await catchUp(client, p, tableNames(p), { batchSize: options.batchSize ?? 1_000, timeZone: options.timeZone });
    }
  } finally {
    client.release();
  }
}

/** `n` arrivals over 300 days of 2024, two nationalities: a store that takes a rebuild a while. */
export function arrivalEvents(n: number): OutgoingEvent[] {
  return Array.from({ length: n }, (_, i) =>
    buildEvent.arrivalRecorded(
      { nationality: i % 2 ? 'CN' : 'KZ', port: 'khorgos', purpose: 'tourism', travelers: 1 + (i % 4) },
      { occurredAt: new Date(Date.UTC(2024, 0, 1) + (i % 300) * 86_400_000).toISOString() },
    ),
  );
}
