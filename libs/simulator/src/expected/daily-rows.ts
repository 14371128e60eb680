import type { ArrivalRecordedData, BookingCreatedData, MediaViewsReportedData } from '@caravan/contract';
import type { RateTable } from '@caravan/domain';
import { localDays } from '../calendar/zone-clock';
import type { SimEvent } from '../types';

/** A KPI family's daily aggregate, as the projections keep it: per local day × dimension values, sums per measure. */
export type Family = {
  dimensions: readonly string[];
  measures: readonly string[];
  cents: ReadonlySet<string>;
  rows: Map<string, Row>;
};
export type Row = { day: string; dims: readonly string[]; sums: bigint[] };

const family = (dimensions: readonly string[], measures: readonly string[], cents: readonly string[] = []): Family => ({
  dimensions,
  measures,
  cents: new Set(cents),
  rows: new Map(),
});

/** Adds `amounts` (in the order of the family's measures) to the row of a day and dimension values. */
function add(f: Family, day: string, dims: readonly string[], amounts: readonly bigint[]): void {
  const key = `${day}|${dims.join('|')}`;
  let row = f.rows.get(key);
  if (!row) {
    row = { day, dims, sums: f.measures.map(() => 0n) };
    f.rows.set(key, row);
  }
  for (let m = 0; m < amounts.length; m++) row.sums[m] = (row.sums[m] as bigint) + (amounts[m] as bigint);
}

type Stamp = { eventId: string; ms: number };
type Created = Stamp & { day: string; dims: readonly string[]; cents: bigint };
// Earliest by event time, then eventId, as the bookings projection decides.
const earlier = (a: Stamp, b: Stamp | undefined): boolean =>
  !b || a.ms < b.ms || (a.ms === b.ms && a.eventId < b.eventId);

/**
 * The three daily aggregates the publisher reads (arrivals_daily, bookings_daily, media_daily),
 * folded from accepted events the way the projections fold them: every BookingCreated counts, a
 * booking's earliest cancellation counts once, on its own day, with the earliest creation's
 * dimensions and USD price, whichever arrived first.
 */
export function dailyRows(events: readonly SimEvent[], timeZone: string, rates: RateTable): Family[] {
  const arrivals = family(['nationality', 'port', 'purpose', 'destination'], ['arrivals']);
  const bookings = family(
    ['market', 'destination', 'channel'],
    ['bookings', 'bookings_cancelled', 'revenue_usd', 'net_revenue_usd'],
    ['revenue_usd', 'net_revenue_usd'],
  );
  const media = family(['platform', 'campaign', 'market'], ['media_views']);
  const created = new Map<string, Created>();
  const cancelled = new Map<string, Stamp & { day: string }>();
  const dayOf = localDays(timeZone);
  for (const e of events) {
    const ms = Date.parse(e.occurredAt);
    const { day } = dayOf(ms);
    if (e.type === 'ArrivalRecorded') {
      const d: ArrivalRecordedData = e.data;
      add(arrivals, day, [d.nationality, d.port, d.purpose, d.destination ?? ''], [BigInt(d.travelers)]);
    } else if (e.type === 'MediaViewsReported') {
      const d: MediaViewsReportedData = e.data;
      add(media, day, [d.platform, d.campaign, d.market], [BigInt(d.views)]);
    } else if (e.type === 'BookingCreated') {
      const d: BookingCreatedData = e.data;
      const cents = rates.toUsdCents(d.price.amount, d.price.currency, ms);
      const dims = [d.market, d.destination, d.channel];
      add(bookings, day, dims, [1n, 0n, cents, cents]);
      const c = { eventId: e.eventId.toLowerCase(), ms, day, dims, cents };
      if (earlier(c, created.get(d.bookingId))) created.set(d.bookingId, c);
    } else {
      const c = { eventId: e.eventId.toLowerCase(), ms, day };
      if (earlier(c, cancelled.get(e.data.bookingId))) cancelled.set(e.data.bookingId, c);
    }
  }
  for (const [bookingId, cancel] of cancelled) {
    const booking = created.get(bookingId);
    if (booking) add(bookings, cancel.day, booking.dims, [0n, 1n, 0n, -booking.cents]);
  }
  return [arrivals, bookings, media];
}
