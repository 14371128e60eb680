import {
  type ArrivalRecordedData,
  type BookingCreatedData,
  KPI_BREAKDOWNS,
  type MediaViewsReportedData,
  type SeriesKpi,
  USD_KPIS,
} from '@caravan/contract';
import type { RateTable } from '@caravan/domain';
import { localDays } from '../calendar/zone-clock';
import type { SimEvent } from '../types';

/** A KPI family's daily aggregate, as the projections keep it: per local day × dimension values, sums per measure. */
export type Family = {
  dimensions: readonly string[];
  measures: readonly SeriesKpi[];
  cents: ReadonlySet<string>;
  rows: Map<string, Row>;
};
export type Row = { day: string; dims: readonly string[]; sums: bigint[] };

/** An empty aggregate of one of the contract's breakdowns: its dimensions, its KPIs as measures. */
function family(breakdown: keyof typeof KPI_BREAKDOWNS): Family {
  const { dimensions, kpis } = KPI_BREAKDOWNS[breakdown];
  return { dimensions, measures: kpis, cents: new Set(kpis.filter((kpi) => USD_KPIS.includes(kpi))), rows: new Map() };
}

/** The values of a family's dimensions in an event's data, in its order ('' for one the event leaves out). */
const dimsOf = (f: Family, data: object): string[] =>
  f.dimensions.map((d) => (data as Record<string, string | undefined>)[d] ?? '');

/** Adds `amounts` (by measure; 0 for the others) to the row of a day and dimension values. */
function add(f: Family, day: string, dims: readonly string[], amounts: Partial<Record<SeriesKpi, bigint>>): void {
  const key = `${day}|${dims.join('|')}`;
  let row = f.rows.get(key);
  if (!row) {
    row = { day, dims, sums: f.measures.map(() => 0n) };
    f.rows.set(key, row);
  }
  for (let m = 0; m < f.measures.length; m++)
    row.sums[m] = (row.sums[m] as bigint) + (amounts[f.measures[m] as SeriesKpi] ?? 0n);
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
  const arrivals = family('arrivals');
  const bookings = family('bookings');
  const media = family('media');
  const created = new Map<string, Created>();
  const cancelled = new Map<string, Stamp & { day: string }>();
  const dayOf = localDays(timeZone);
  for (const e of events) {
    const ms = Date.parse(e.occurredAt);
    const { day } = dayOf(ms);
    if (e.type === 'ArrivalRecorded') {
      const d: ArrivalRecordedData = e.data;
      add(arrivals, day, dimsOf(arrivals, d), { arrivals: BigInt(d.travelers) });
    } else if (e.type === 'MediaViewsReported') {
      const d: MediaViewsReportedData = e.data;
      add(media, day, dimsOf(media, d), { media_views: BigInt(d.views) });
    } else if (e.type === 'BookingCreated') {
      const d: BookingCreatedData = e.data;
      const cents = rates.toUsdCents(d.price.amount, d.price.currency, ms);
      const dims = dimsOf(bookings, d);
      add(bookings, day, dims, { bookings: 1n, revenue_usd: cents, net_revenue_usd: cents });
      const c = { eventId: e.eventId.toLowerCase(), ms, day, dims, cents };
      if (earlier(c, created.get(d.bookingId))) created.set(d.bookingId, c);
    } else {
      const c = { eventId: e.eventId.toLowerCase(), ms, day };
      if (earlier(c, cancelled.get(e.data.bookingId))) cancelled.set(e.data.bookingId, c);
    }
  }
  for (const [bookingId, cancel] of cancelled) {
    const booking = created.get(bookingId);
    if (booking) add(bookings, cancel.day, booking.dims, { bookings_cancelled: 1n, net_revenue_usd: -booking.cents });
  }
  return [arrivals, bookings, media];
}
