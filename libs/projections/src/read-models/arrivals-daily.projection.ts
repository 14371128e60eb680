import type { ProjectionName } from '@caravan/contract';
import { EVENTS_TABLE } from '@caravan/event-store';
import { markDaysCte, type Projection, table } from '../projection';
import { assertSqlFoldVersion } from './sql-fold';

assertSqlFoldVersion('arrivals_daily', ['ArrivalRecorded'], 1);

/**
 * Arrivals per local day × nationality, port, purpose, destination ('' when not given): each
 * range of the store is summed inside PostgreSQL (one GROUP BY, the touched keys upserted), so no
 * event travels to the projector. The local day is the IANA zone's, as everywhere else.
 */
export const arrivalsDaily: Projection = {
  name: 'arrivals_daily' satisfies ProjectionName,
  eventTypes: ['ArrivalRecorded'],
  tables: ['arrivals_daily'],
  ddl: (t) => [
    `CREATE TABLE IF NOT EXISTS ${table(t, 'arrivals_daily')} (
       day date NOT NULL, nationality text NOT NULL, port text NOT NULL, purpose text NOT NULL,
       destination text NOT NULL, travelers bigint NOT NULL, events bigint NOT NULL,
       PRIMARY KEY (day, nationality, port, purpose, destination))`,
  ],
  applyRange: async (client, range, t, { timeZone }) => {
    const { rows } = await client.query<{ n: number }>(
      `WITH folded AS (
         SELECT (occurred_at AT TIME ZONE $3)::date AS day, data->>'nationality' AS nationality, data->>'port' AS port,
                data->>'purpose' AS purpose, coalesce(data->>'destination', '') AS destination,
                sum((data->>'travelers')::bigint) AS travelers, count(*) AS events
         FROM ${EVENTS_TABLE}
         WHERE position > $1::bigint AND position <= $2::bigint AND type = 'ArrivalRecorded'
         GROUP BY 1, 2, 3, 4, 5),
       upserted AS (
         INSERT INTO ${table(t, 'arrivals_daily')} AS a
                (day, nationality, port, purpose, destination, travelers, events)
         SELECT * FROM folded
         ON CONFLICT (day, nationality, port, purpose, destination)
         DO UPDATE SET travelers = a.travelers + EXCLUDED.travelers, events = a.events + EXCLUDED.events),
       marked AS (${markDaysCte('folded', '$4', '$2')})
       SELECT coalesce(sum(events), 0)::int AS n FROM folded`,
      [range.after, range.upper, timeZone, table(t, 'arrivals_daily')],
    );
    return rows[0]?.n ?? 0;
  },
};
