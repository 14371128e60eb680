import type { StoredEvent } from '@caravan/ingest';
import { type Projection, table } from '../projection';

/** The latest occurredAt among the events applied: the KPI windows end with its local day. */
export function foldWatermark(events: StoredEvent[]): Date | undefined {
  let max: Date | undefined;
  for (const e of events) if (!max || e.occurredAt > max) max = e.occurredAt;
  return max;
}

export const watermark: Projection = {
  name: 'watermark',
  eventTypes: ['BookingCreated', 'BookingCancelled', 'ArrivalRecorded', 'MediaViewsReported'],
  tables: ['event_watermark'],
  ddl: (t) => [
    `CREATE TABLE IF NOT EXISTS ${table(t, 'event_watermark')} (
       id boolean PRIMARY KEY DEFAULT true CHECK (id), max_occurred_at timestamptz NOT NULL, events bigint NOT NULL)`,
  ],
  apply: async (client, events, t) => {
    const max = foldWatermark(events);
    if (!max) return;
    await client.query(
      `INSERT INTO ${table(t, 'event_watermark')} AS w (id, max_occurred_at, events) VALUES (true, $1, $2)
       ON CONFLICT (id) DO UPDATE SET max_occurred_at = greatest(w.max_occurred_at, EXCLUDED.max_occurred_at), events = w.events + EXCLUDED.events`,
      [max.toISOString(), events.length],
    );
  },
};
