import { localDate, type RateTable } from '@caravan/domain';
import { SQL } from '@event-driven-io/dumbo';
import { postgreSQLRawBatchSQLProjection } from '@event-driven-io/emmett-postgresql';
import type { TourismEmmettEvent } from '../events';
import { addTo, valuesOf } from './sql-values';

type Row = {
  day: string;
  market: string;
  destination: string;
  channel: string;
  bookings: number;
  grossUsdCents: bigint;
};

/** Folds a batch into per-day booking counts and gross USD cents (rate valid at occurredAt). Pure. */
export function foldBookings(events: readonly TourismEmmettEvent[], timeZone: string, rates: RateTable): Row[] {
  const rows = new Map<string, Row>();
  for (const e of events) {
    // Inline projections get every event of the append, not only those in canHandle.
    if (e.type !== 'BookingCreated') continue;
    const { data: d, metadata } = e;
    const atMs = Date.parse(metadata.occurredAt);
    const day = localDate(atMs, timeZone);
    const cents = rates.toUsdCents(d.price.amount, d.price.currency, atMs);
    const key = `${day}|${d.market}|${d.destination}|${d.channel}`;
    addTo(
      rows,
      key,
      () => ({ day, market: d.market, destination: d.destination, channel: d.channel, bookings: 0, grossUsdCents: 0n }),
      (r) => {
        r.bookings += 1;
        r.grossUsdCents += cents;
      },
    );
  }
  return [...rows.values()];
}

/**
 * bookings_daily: BookingCreated count and gross USD per local day × market, destination, channel
 * (cancellations not projected).
 */
export const bookingsDailyProjection = (timeZone: string, rates: RateTable) =>
  postgreSQLRawBatchSQLProjection<TourismEmmettEvent>({
    name: 'bookings_daily',
    canHandle: ['BookingCreated'],
    init: () => SQL`CREATE TABLE IF NOT EXISTS bookings_daily (
        day date NOT NULL, market text NOT NULL, destination text NOT NULL, channel text NOT NULL,
        bookings bigint NOT NULL, gross_usd_cents bigint NOT NULL, PRIMARY KEY (day, market, destination, channel))`,
    evolve: (events) => {
      const rows = foldBookings(events, timeZone, rates);
      if (rows.length === 0) return [];
      return [
        SQL`INSERT INTO bookings_daily AS b (day, market, destination, channel, bookings, gross_usd_cents)
            VALUES ${valuesOf(
              rows.map((r) => [r.day, r.market, r.destination, r.channel, r.bookings, r.grossUsdCents]),
            )}
            ON CONFLICT (day, market, destination, channel)
            DO UPDATE SET bookings = b.bookings + EXCLUDED.bookings,
                          gross_usd_cents = b.gross_usd_cents + EXCLUDED.gross_usd_cents`,
      ];
    },
  });
