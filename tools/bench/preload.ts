/**
 * `npm run bench -- --preload N`: an event store already holding N events when the timed run
 * starts, for the growth table (issue 18: how cost grows with the store). The workload's own
 * accepted events are copied into earlier years (copy k shifted back by k × 364 days, so weekdays
 * and seasons stay; new eventIds, and new bookingIds so that each copy's cancellations meet its own
 * bookings), appended with the event store's `appendEvents` in transactions of 5,000, as the
 * ingestor appends (the unique eventId index grows as it would); then every projection is caught up
 * by a rebuild, so the timed run starts with its aggregates current and only the new records to do.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { Pool } from 'pg';
import type { CaravanConfig } from '@caravan/config';
import { canonicalJson, sha256Hex, type TourismEvent } from '@caravan/contract';
import { withTransaction } from '@caravan/database';
import { appendEvents, type NewEvent } from '@caravan/event-store';
import { rebuildAll } from './rebuild-and-scale';

const CHUNK = 5_000;
const SHIFT_MS = 364 * 86_400_000;

export type Preload = { events: number; appendSeconds: number; rebuildSeconds: number };

export async function preloadStore(
  pool: Pool,
  events: readonly TourismEvent[],
  count: number,
  config: CaravanConfig,
  log: (line: string) => void,
): Promise<Preload> {
  if (events.length === 0) throw new Error('--preload: the workload has no accepted event to copy');
  const started = performance.now();
  let appended = 0;
  let chunk: NewEvent[] = [];
  const flush = async (): Promise<void> => {
    if (chunk.length === 0) return;
    const batch = chunk;
    chunk = [];
    const { inserted } = await withTransaction(pool, (client) => appendEvents(client, batch));
    if (inserted.size !== batch.length) throw new Error(`--preload: ${batch.length - inserted.size} copies collided`);
    appended += batch.length;
    if (appended % 500_000 < CHUNK) log(`  preloaded ${appended} of ${count} events`);
  };
  for (let copy = 1; appended + chunk.length < count; copy++) {
    for (const e of events) {
      if (appended + chunk.length >= count) break;
      chunk.push(copyOf(e, copy, appended + chunk.length));
      if (chunk.length === CHUNK) await flush();
    }
  }
  await flush();
  await pool.query('ANALYZE events');
  const appendSeconds = (performance.now() - started) / 1000;
  log(`  ${appended} events appended in ${appendSeconds.toFixed(0)} s; catching every projection up (rebuild)…`);
  const rebuilt = await rebuildAll(pool, config);
  return { events: appended, appendSeconds, rebuildSeconds: rebuilt.seconds };
}

/** Event `e` moved `copy` × 364 days back, with an eventId (and bookingId) of its own. */
function copyOf(e: TourismEvent, copy: number, offset: number): NewEvent {
  const occurredAt = new Date(Date.parse(e.occurredAt) - copy * SHIFT_MS).toISOString();
  const data: Record<string, unknown> = { ...(e.data as Record<string, unknown>) };
  if (typeof data.bookingId === 'string') data.bookingId = `${data.bookingId}~${copy}`;
  const { type, version, producer } = e;
  return {
    eventId: randomUUID(),
    type,
    version,
    occurredAt,
    producer,
    data,
    contentHash: sha256Hex(canonicalJson({ type, version, occurredAt, producer, data })),
    source: { topic: 'bench-preload', partition: 0, offset: String(offset) },
  };
}
