import type { ProjectionName } from '@caravan/contract';
import { EVENTS_TABLE } from '@caravan/event-store';
import { type Projection, table } from '../projection';

/**
 * The latest occurredAt accepted and the number of events: the KPI windows end with the local day
 * of that instant. Computed inside PostgreSQL over each range of the store (no event is read).
 */
export const watermark: Projection = {
  name: 'watermark' satisfies ProjectionName,
  eventTypes: ['BookingCreated', 'BookingCancelled', 'ArrivalRecorded', 'MediaViewsReported'],
  tables: ['event_watermark'],
  ddl: (t) => [
    `CREATE TABLE IF NOT EXISTS ${table(t, 'event_watermark')} (
       id boolean PRIMARY KEY DEFAULT true CHECK (id), max_occurred_at timestamptz NOT NULL, events bigint NOT NULL)`,
  ],
  applyRange: async (client, range, t) => {
    await client.query(
      `INSERT INTO ${table(t, 'event_watermark')} AS w (id, max_occurred_at, events)
       SELECT true, max(occurred_at), count(*) FROM ${EVENTS_TABLE}
       WHERE position > $1::bigint AND position <= $2::bigint HAVING count(*) > 0
       ON CONFLICT (id) DO UPDATE SET max_occurred_at = greatest(w.max_occurred_at, EXCLUDED.max_occurred_at),
                                      events = w.events + EXCLUDED.events`,
      [range.after, range.upper],
    );
    return range.count;
  },
};
