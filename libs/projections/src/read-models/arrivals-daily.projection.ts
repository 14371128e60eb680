import type { ArrivalRecordedData } from '@caravan/contract';
import { localDate } from '@caravan/domain';
import type { StoredEvent } from '@caravan/ingest';
import { type Projection, table } from '../projection';

type Row = { day: string; nationality: string; port: string; purpose: string; destination: string; travelers: number; events: number };

/** Folds arrivals into per-day, per-dimension sums (destination '' when not given). Pure. */
export function foldArrivals(events: StoredEvent[], timeZone: string): Row[] {
  const rows = new Map<string, Row>();
  for (const e of events) {
    if (e.type !== 'ArrivalRecorded') continue;
    const d = e.data as ArrivalRecordedData;
    const row = { day: localDate(e.occurredAt, timeZone), nationality: d.nationality, port: d.port, purpose: d.purpose, destination: d.destination ?? '' };
    const key = `${row.day}|${row.nationality}|${row.port}|${row.purpose}|${row.destination}`;
    const sum = rows.get(key) ?? { ...row, travelers: 0, events: 0 };
    sum.travelers += d.travelers;
    sum.events += 1;
    rows.set(key, sum);
  }
  return [...rows.values()];
}

/** Arrivals per local day × nationality, port, purpose, destination. */
export const arrivalsDaily: Projection = {
  name: 'arrivals_daily',
  eventTypes: ['ArrivalRecorded'],
  tables: ['arrivals_daily'],
  ddl: (t) => [
    `CREATE TABLE IF NOT EXISTS ${table(t, 'arrivals_daily')} (
       day date NOT NULL, nationality text NOT NULL, port text NOT NULL, purpose text NOT NULL, destination text NOT NULL,
       travelers bigint NOT NULL, events bigint NOT NULL,
       PRIMARY KEY (day, nationality, port, purpose, destination))`,
  ],
  apply: async (client, events, t, { timeZone }) => {
    const rows = foldArrivals(events, timeZone);
    if (rows.length === 0) return;
    const name = table(t, 'arrivals_daily');
    await client.query(
      `INSERT INTO ${name} AS a (day, nationality, port, purpose, destination, travelers, events)
       SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::bigint[])
       ON CONFLICT (day, nationality, port, purpose, destination)
       DO UPDATE SET travelers = a.travelers + EXCLUDED.travelers, events = a.events + EXCLUDED.events`,
      [rows.map((r) => r.day), rows.map((r) => r.nationality), rows.map((r) => r.port), rows.map((r) => r.purpose),
        rows.map((r) => r.destination), rows.map((r) => r.travelers), rows.map((r) => r.events)],
    );
  },
};
