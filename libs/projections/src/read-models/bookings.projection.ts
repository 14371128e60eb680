import type { PoolClient } from 'pg';
import type { BookingCancelledData, BookingCreatedData, ProjectionName } from '@caravan/contract';
import { localDate, type RateTable } from '@caravan/domain';
import type { StoredEvent } from '@caravan/event-store';
import { markDaysCte, type Projection, type TableNames, table } from '../projection';

type Stamp = { eventId: string; occurredAtMs: number };
type Created = Stamp & { day: string; market: string; destination: string; channel: string; usdCents: bigint };
type Cancel = Stamp & { day: string };
/** What is known of one bookingId: its earliest creation and its earliest cancellation. */
export type BookingState = { bookingId: string; created?: Created; cancel?: Cancel };

export type DailyDelta = {
  day: string;
  market: string;
  destination: string;
  channel: string;
  bookings: number;
  travelers: number;
  revenueCents: bigint;
  cancellations: number;
  cancelledCents: bigint;
};

// Earliest by event time, then eventId: the same state whatever order the events arrive in.
const earlier = (a: Stamp, b: Stamp | undefined): boolean =>
  !b || a.occurredAtMs < b.occurredAtMs || (a.occurredAtMs === b.occurredAtMs && a.eventId < b.eventId);

/** The cancellation a state contributes: on the cancel's day, with the booking's dimensions and price. */
function cancellation(state: BookingState | undefined) {
  if (!state?.created || !state.cancel) return undefined;
  const { market, destination, channel, usdCents } = state.created;
  return { day: state.cancel.day, market, destination, channel, usdCents };
}

/**
 * Folds a batch of booking events against the prior state of the bookings they touch. A
 * cancellation counts once per booking, on the cancellation's day, as soon as both the booking
 * and a cancellation are known (a cancellation may arrive first); a later cancellation changes
 * nothing. Pure: returns the new states and the per-day deltas.
 */
export function foldBookings(
  events: StoredEvent[],
  before: Map<string, BookingState>,
  context: { timeZone: string; rates: RateTable },
): { after: Map<string, BookingState>; deltas: DailyDelta[] } {
  const after = new Map<string, BookingState>();
  const deltas = new Map<string, DailyDelta>();
  const delta = (day: string, market: string, destination: string, channel: string): DailyDelta => {
    const key = `${day}|${market}|${destination}|${channel}`;
    let d = deltas.get(key);
    if (!d) {
      d = {
        day,
        market,
        destination,
        channel,
        bookings: 0,
        travelers: 0,
        revenueCents: 0n,
        cancellations: 0,
        cancelledCents: 0n,
      };
      deltas.set(key, d);
    }
    return d;
  };
  const stateOf = (bookingId: string): BookingState => {
    let s = after.get(bookingId);
    if (!s) {
      const prior = before.get(bookingId);
      s = {
        bookingId,
        ...(prior?.created ? { created: prior.created } : {}),
        ...(prior?.cancel ? { cancel: prior.cancel } : {}),
      };
      after.set(bookingId, s);
    }
    return s;
  };

  for (const e of events) {
    const occurredAtMs = e.occurredAt.getTime();
    const day = localDate(occurredAtMs, context.timeZone);
    if (e.type === 'BookingCreated') {
      const d = e.data as BookingCreatedData;
      const usdCents = context.rates.toUsdCents(d.price.amount, d.price.currency, occurredAtMs);
      const row = delta(day, d.market, d.destination, d.channel);
      row.bookings += 1;
      row.travelers += d.travelers;
      row.revenueCents += usdCents;
      const created: Created = {
        eventId: e.eventId,
        occurredAtMs,
        day,
        market: d.market,
        destination: d.destination,
        channel: d.channel,
        usdCents,
      };
      const state = stateOf(d.bookingId);
      if (earlier(created, state.created)) state.created = created;
    } else if (e.type === 'BookingCancelled') {
      const d = e.data as BookingCancelledData;
      const cancel: Cancel = { eventId: e.eventId, occurredAtMs, day };
      const state = stateOf(d.bookingId);
      if (earlier(cancel, state.cancel)) state.cancel = cancel;
    }
  }

  for (const [bookingId, state] of after) {
    const old = cancellation(before.get(bookingId));
    const now = cancellation(state);
    if (
      old &&
      now &&
      old.day === now.day &&
      old.market === now.market &&
      old.destination === now.destination &&
      old.channel === now.channel &&
      old.usdCents === now.usdCents
    )
      continue;
    if (old) {
      const row = delta(old.day, old.market, old.destination, old.channel);
      row.cancellations -= 1;
      row.cancelledCents -= old.usdCents;
    }
    if (now) {
      const row = delta(now.day, now.market, now.destination, now.channel);
      row.cancellations += 1;
      row.cancelledCents += now.usdCents;
    }
  }
  return { after, deltas: [...deltas.values()] };
}

type StateRow = {
  booking_id: string;
  created_event_id: string | null;
  created_at: Date | null;
  created_day: string | null;
  market: string | null;
  destination: string | null;
  channel: string | null;
  usd_cents: string | null;
  cancel_event_id: string | null;
  cancelled_at: Date | null;
  cancel_day: string | null;
};

async function loadStates(client: PoolClient, t: TableNames, ids: string[]): Promise<Map<string, BookingState>> {
  // One index lookup per id, whatever the planner's statistics say: as a plain join (or = ANY), a
  // few thousand ids against a table of half a million it planned a (parallel) sequential scan,
  // 10x slower and growing with the table; a LATERAL subquery with LIMIT is not flattened into one.
  const { rows } = await client.query<StateRow>(
    `SELECT s.* FROM unnest($1::text[]) AS k(id) CROSS JOIN LATERAL (
       SELECT booking_id, created_event_id, created_at, to_char(created_day, 'YYYY-MM-DD') AS created_day, market,
              destination, channel, usd_cents, cancel_event_id, cancelled_at,
              to_char(cancel_day, 'YYYY-MM-DD') AS cancel_day
       FROM ${table(t, 'booking_state')} WHERE booking_id = k.id LIMIT 1) s`,
    [ids],
  );
  return new Map(
    rows.map((r) => {
      const state: BookingState = { bookingId: r.booking_id };
      if (r.created_event_id && r.created_at && r.created_day) {
        state.created = {
          eventId: r.created_event_id,
          occurredAtMs: r.created_at.getTime(),
          day: r.created_day,
          market: r.market ?? '',
          destination: r.destination ?? '',
          channel: r.channel ?? '',
          usdCents: BigInt(r.usd_cents ?? 0),
        };
      }
      if (r.cancel_event_id && r.cancelled_at && r.cancel_day) {
        state.cancel = { eventId: r.cancel_event_id, occurredAtMs: r.cancelled_at.getTime(), day: r.cancel_day };
      }
      return [r.booking_id, state];
    }),
  );
}

/** Bookings: a state per bookingId (so cancellations match, in any order) and per-day KPIs. */
export const bookings: Projection = {
  name: 'bookings' satisfies ProjectionName,
  eventTypes: ['BookingCreated', 'BookingCancelled'],
  tables: ['booking_state', 'bookings_daily'],
  ddl: (t) => [
    `CREATE TABLE IF NOT EXISTS ${table(t, 'booking_state')} (
       booking_id text PRIMARY KEY,
       created_event_id uuid, created_at timestamptz, created_day date,
       market text, destination text, channel text, usd_cents bigint,
       cancel_event_id uuid, cancelled_at timestamptz, cancel_day date)`,
    `CREATE TABLE IF NOT EXISTS ${table(t, 'bookings_daily')} (
       day date NOT NULL, market text NOT NULL, destination text NOT NULL, channel text NOT NULL,
       bookings bigint NOT NULL, travelers bigint NOT NULL, revenue_cents bigint NOT NULL,
       cancellations bigint NOT NULL, cancelled_cents bigint NOT NULL,
       PRIMARY KEY (day, market, destination, channel))`,
  ],
  apply: async (client, events, t, context) => {
    const ids = [...new Set(events.map((e) => String((e.data as { bookingId: string }).bookingId)))];
    const { after, deltas } = foldBookings(events, await loadStates(client, t, ids), context);
    const states = [...after.values()];
    await client.query(
      `INSERT INTO ${table(t, 'booking_state')} AS s
         (booking_id, created_event_id, created_at, created_day, market, destination, channel, usd_cents,
          cancel_event_id, cancelled_at, cancel_day)
       SELECT * FROM unnest($1::text[], $2::uuid[], $3::timestamptz[], $4::date[], $5::text[], $6::text[], $7::text[],
                            $8::bigint[], $9::uuid[], $10::timestamptz[], $11::date[])
       ON CONFLICT (booking_id) DO UPDATE SET
         created_event_id = EXCLUDED.created_event_id, created_at = EXCLUDED.created_at,
         created_day = EXCLUDED.created_day, market = EXCLUDED.market, destination = EXCLUDED.destination,
         channel = EXCLUDED.channel, usd_cents = EXCLUDED.usd_cents, cancel_event_id = EXCLUDED.cancel_event_id,
         cancelled_at = EXCLUDED.cancelled_at, cancel_day = EXCLUDED.cancel_day`,
      [
        states.map((s) => s.bookingId),
        states.map((s) => s.created?.eventId ?? null),
        states.map((s) => (s.created ? new Date(s.created.occurredAtMs).toISOString() : null)),
        states.map((s) => s.created?.day ?? null),
        states.map((s) => s.created?.market ?? null),
        states.map((s) => s.created?.destination ?? null),
        states.map((s) => s.created?.channel ?? null),
        states.map((s) => (s.created ? s.created.usdCents.toString() : null)),
        states.map((s) => s.cancel?.eventId ?? null),
        states.map((s) => (s.cancel ? new Date(s.cancel.occurredAtMs).toISOString() : null)),
        states.map((s) => s.cancel?.day ?? null),
      ],
    );
    if (deltas.length === 0) return;
    const deltaColumns = [
      deltas.map((d) => d.day),
      deltas.map((d) => d.market),
      deltas.map((d) => d.destination),
      deltas.map((d) => d.channel),
      deltas.map((d) => d.bookings),
      deltas.map((d) => d.travelers),
      deltas.map((d) => d.revenueCents.toString()),
      deltas.map((d) => d.cancellations),
      deltas.map((d) => d.cancelledCents.toString()),
    ];
    const { rows: empty } = await client.query<{ day: string; market: string; destination: string; channel: string }>(
      `WITH upserted AS (
         INSERT INTO ${table(t, 'bookings_daily')} AS b
           (day, market, destination, channel, bookings, travelers, revenue_cents, cancellations, cancelled_cents)
         SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::text[], $5::bigint[], $6::bigint[], $7::bigint[],
                              $8::bigint[], $9::bigint[])
         ON CONFLICT (day, market, destination, channel) DO UPDATE SET
           bookings = b.bookings + EXCLUDED.bookings, travelers = b.travelers + EXCLUDED.travelers,
           revenue_cents = b.revenue_cents + EXCLUDED.revenue_cents,
           cancellations = b.cancellations + EXCLUDED.cancellations,
           cancelled_cents = b.cancelled_cents + EXCLUDED.cancelled_cents
         RETURNING *),
       -- The hand-off to the publisher, in the same statement: the days written, at the batch's last position.
       marked AS (${markDaysCte('upserted', '$10', '$11')})
       SELECT day::text AS day, market, destination, channel FROM upserted
       WHERE bookings = 0 AND travelers = 0 AND revenue_cents = 0 AND cancellations = 0 AND cancelled_cents = 0`,
      [...deltaColumns, table(t, 'bookings_daily'), lastPosition(events)],
    );
    // A cancellation that moved can leave a row of zeros: removed, so equal histories give equal
    // tables (only the rows the upsert left empty: rare, and none to look up in most batches).
    if (empty.length > 0)
      await client.query(
        `DELETE FROM ${table(t, 'bookings_daily')}
         WHERE (day, market, destination, channel)
               IN (SELECT * FROM unnest($1::date[], $2::text[], $3::text[], $4::text[]))
           AND bookings = 0 AND travelers = 0 AND revenue_cents = 0 AND cancellations = 0 AND cancelled_cents = 0`,
        [
          empty.map((r) => r.day),
          empty.map((r) => r.market),
          empty.map((r) => r.destination),
          empty.map((r) => r.channel),
        ],
      );
  },
};

/** A batch's last position: each batch's is above the one before (ranges follow each other). */
function lastPosition(events: readonly StoredEvent[]): number {
  let last = 0;
  for (const e of events) if (e.position > last) last = e.position;
  return last;
}
