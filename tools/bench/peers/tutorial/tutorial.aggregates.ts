import type { ArrivalRecordedData, BookingCreatedData, MediaViewsReportedData, ValidEvent } from '@caravan/contract';
import { localDate, type RateTable } from '@caravan/domain';

export type Upsert = { sql: string; params: unknown[] };

const ARRIVALS = `INSERT INTO arrivals_daily AS a (day, nationality, port, purpose, destination, travelers)
  VALUES ($1, $2, $3, $4, $5, $6)
  ON CONFLICT (day, nationality, port, purpose, destination)
  DO UPDATE SET travelers = a.travelers + EXCLUDED.travelers`;
const BOOKINGS = `INSERT INTO bookings_daily AS b (day, market, destination, channel, bookings, gross_usd_cents)
  VALUES ($1, $2, $3, $4, 1, $5)
  ON CONFLICT (day, market, destination, channel)
  DO UPDATE SET bookings = b.bookings + 1, gross_usd_cents = b.gross_usd_cents + EXCLUDED.gross_usd_cents`;
const MEDIA = `INSERT INTO media_daily AS m (day, platform, campaign, market, views) VALUES ($1, $2, $3, $4, $5)
  ON CONFLICT (day, platform, campaign, market) DO UPDATE SET views = m.views + EXCLUDED.views`;

/**
 * The one-row upsert an event feeds, or none (BookingCancelled only lands in `events`). Throws
 * when a price has no rate: validation ran with `hasRate: () => true`, as a plain zod parse would.
 */
export function aggregateOf(event: ValidEvent, timeZone: string, rates: RateTable): Upsert | undefined {
  const day = localDate(event.occurredAtMs, timeZone);
  switch (event.type) {
    case 'ArrivalRecorded': {
      const d = event.data as ArrivalRecordedData;
      return { sql: ARRIVALS, params: [day, d.nationality, d.port, d.purpose, d.destination ?? '', d.travelers] };
    }
    case 'BookingCreated': {
      const d = event.data as BookingCreatedData;
      const cents = rates.toUsdCents(d.price.amount, d.price.currency, event.occurredAtMs);
      return { sql: BOOKINGS, params: [day, d.market, d.destination, d.channel, cents.toString()] };
    }
    case 'MediaViewsReported': {
      const d = event.data as MediaViewsReportedData;
      return { sql: MEDIA, params: [day, d.platform, d.campaign, d.market, d.views] };
    }
    default:
      return undefined;
  }
}
