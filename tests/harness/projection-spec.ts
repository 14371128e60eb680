import { canonicalJson } from '@caravan/contract';
import type { RateTable } from '@caravan/domain';
import type { OutgoingEvent } from '@caravan/kafka';
import { type DailyDelta, foldBookings } from '../../libs/projections/src/read-models/bookings.projection';

/** A row as PostgreSQL's to_jsonb gives it: dates as YYYY-MM-DD, integers as numbers. */
export type Row = Record<string, unknown>;
/** Rows by table name. */
export type Tables = Record<string, Row[]>;

/**
 * Where a spec's events are projected: each batch once the batches before it are (a later batch
 * sees only the state the earlier ones left), then the tables named read back.
 */
export type Projector = { project(batches: OutgoingEvent[][], tables: string[]): Promise<Tables> };

export type Given = {
  /** Events that arrive after the ones before: projected in a later batch. */
  and(...events: OutgoingEvent[]): Given;
  when(projector: Projector): { then(expected: Tables): Promise<void> };
};

/**
 * Given/When/Then for projections, in the manner of Emmett's PostgreSQLProjectionSpec:
 * `given(events).and(laterEvents).when(inPostgres(bookings)).then({ bookings_daily: rows })`. The
 * tables named in `then` must hold exactly those rows, in any order (Emmett's
 * containsExactlyInAnyOrder); the projector decides where: a fresh database (`inPostgres`, in
 * projection-spec-postgres.ts) or the pure fold (`bookingsFoldedInMemory`).
 */
export function given(...events: OutgoingEvent[]): Given {
  return givenBatches([events]);
}

function givenBatches(batches: OutgoingEvent[][]): Given {
  return {
    and: (...events) => givenBatches([...batches, events]),
    when: (projector) => ({
      then: async (expected) => {
        const actual = await projector.project(batches, Object.keys(expected));
        const sorted = (tables: Tables) =>
          Object.fromEntries(Object.entries(tables).map(([name, rows]) => [name, inAnyOrder(rows)]));
        expect(sorted(actual)).toEqual(sorted(expected));
      },
    }),
  };
}

const inAnyOrder = (rows: Row[]): Row[] =>
  rows
    .map((row) => ({ row, text: canonicalJson(row) }))
    .sort((a, b) => (a.text < b.text ? -1 : a.text > b.text ? 1 : 0))
    .map(({ row }) => row);

/**
 * The bookings projection's pure fold, with bookings_daily kept in memory as its SQL keeps it:
 * each batch's deltas added to the rows of their key, a row left all zeros removed.
 */
export function bookingsFoldedInMemory(context: { timeZone: string; rates: RateTable }): Projector {
  return {
    project: (batches, tables) => {
      const unknown = tables.filter((t) => t !== 'bookings_daily');
      if (unknown.length > 0) throw new Error(`the bookings fold in memory keeps bookings_daily only, not ${unknown}`);
      let states: ReturnType<typeof foldBookings>['after'] = new Map();
      const daily = new Map<string, Row>();
      const seen = new Set<string>();
      let position = 0;
      for (const batch of batches) {
        // The store keeps an eventId once: a redelivered event reaches no projection again.
        const fresh = batch.filter((e) => !seen.has(e.eventId) && seen.add(e.eventId));
        const stored = fresh.map((e) => ({ ...e, position: ++position, occurredAt: new Date(e.occurredAt) }));
        const { after, deltas } = foldBookings(stored, states, context);
        states = new Map([...states, ...after]);
        for (const delta of deltas) addDelta(daily, delta);
      }
      return Promise.resolve({ bookings_daily: [...daily.values()] });
    },
  };
}

function addDelta(daily: Map<string, Row>, d: DailyDelta): void {
  const key = `${d.day}|${d.market}|${d.destination}|${d.channel}`;
  const row = daily.get(key) ?? { day: d.day, market: d.market, destination: d.destination, channel: d.channel };
  const sum = (column: string, n: number | bigint) => ((row[column] as number | undefined) ?? 0) + Number(n);
  const counts = {
    bookings: sum('bookings', d.bookings),
    travelers: sum('travelers', d.travelers),
    revenue_cents: sum('revenue_cents', d.revenueCents),
    cancellations: sum('cancellations', d.cancellations),
    cancelled_cents: sum('cancelled_cents', d.cancelledCents),
  };
  if (Object.values(counts).every((n) => n === 0)) daily.delete(key);
  else daily.set(key, { ...row, ...counts });
}
