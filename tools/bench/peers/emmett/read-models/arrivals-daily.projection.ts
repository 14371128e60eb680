import { localDate } from '@caravan/domain';
import { SQL } from '@event-driven-io/dumbo';
import { postgreSQLRawBatchSQLProjection } from '@event-driven-io/emmett-postgresql';
import type { TourismEmmettEvent } from '../events';
import { addTo, valuesOf } from './sql-values';

type Row = { day: string; nationality: string; port: string; purpose: string; destination: string; travelers: number };

/** Folds a batch into per-day sums (destination '' when not given, as Caravan does). Pure. */
export function foldArrivals(events: readonly TourismEmmettEvent[], timeZone: string): Row[] {
  const rows = new Map<string, Row>();
  for (const e of events) {
    // Inline projections get every event of the append, not only those in canHandle.
    if (e.type !== 'ArrivalRecorded') continue;
    const { data: d, metadata } = e;
    const day = localDate(Date.parse(metadata.occurredAt), timeZone);
    const destination = d.destination ?? '';
    const key = `${day}|${d.nationality}|${d.port}|${d.purpose}|${destination}`;
    addTo(
      rows,
      key,
      () => ({ day, nationality: d.nationality, port: d.port, purpose: d.purpose, destination, travelers: 0 }),
      (r) => {
        r.travelers += d.travelers;
      },
    );
  }
  return [...rows.values()];
}

/** arrivals_daily: travelers per local day × nationality, port, purpose, destination. */
export const arrivalsDailyProjection = (timeZone: string) =>
  postgreSQLRawBatchSQLProjection<TourismEmmettEvent>({
    name: 'arrivals_daily',
    canHandle: ['ArrivalRecorded'],
    init: () => SQL`CREATE TABLE IF NOT EXISTS arrivals_daily (
        day date NOT NULL, nationality text NOT NULL, port text NOT NULL, purpose text NOT NULL,
        destination text NOT NULL, travelers bigint NOT NULL,
        PRIMARY KEY (day, nationality, port, purpose, destination))`,
    evolve: (events) => {
      const rows = foldArrivals(events, timeZone);
      if (rows.length === 0) return [];
      return [
        SQL`INSERT INTO arrivals_daily AS a (day, nationality, port, purpose, destination, travelers)
            VALUES ${valuesOf(rows.map((r) => [r.day, r.nationality, r.port, r.purpose, r.destination, r.travelers]))}
            ON CONFLICT (day, nationality, port, purpose, destination)
            DO UPDATE SET travelers = a.travelers + EXCLUDED.travelers`,
      ];
    },
  });
