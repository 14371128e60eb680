import { buildEvent } from '@caravan/contract';
import type { OutgoingEvent } from '@caravan/kafka';
import { PROJECTIONS, ProjectionRunner, tableNames } from '@caravan/projections';
import { createTestDatabase, projectAll, storeEvents, type TestDatabase, waitFor } from '../harness';

const TZ = 'Asia/Almaty';
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

const given = (db: TestDatabase, events: OutgoingEvent[]) => storeEvents(db.pool, events);
const projectAllOf = (db: TestDatabase) => projectAll(db.pool, { timeZone: TZ });

const created = (bookingId: string, occurredAt: string, amount = '700.00', currency = 'CNY') =>
  buildEvent.bookingCreated(
    {
      bookingId,
      market: 'CN',
      destination: 'almaty',
      channel: 'ota',
      travelers: 2,
      checkIn: '2024-07-01',
      nights: 4,
      price: { amount, currency },
    },
    { occurredAt },
  );
const cancelled = (bookingId: string, occurredAt: string) => buildEvent.bookingCancelled({ bookingId }, { occurredAt });

async function bookingsDaily(db: TestDatabase) {
  const { rows } = await db.pool.query(
    `SELECT to_char(day, 'YYYY-MM-DD') AS day, bookings::int, revenue_cents::int, cancellations::int, cancelled_cents::int
     FROM bookings_daily WHERE (bookings, cancellations) <> (0, 0) ORDER BY day`,
  );
  return rows;
}

describe('projections, given events, then aggregates (real PostgreSQL)', () => {
  let db: TestDatabase;
  beforeEach(async () => {
    db = await createTestDatabase();
  });
  afterEach(async () => {
    await db.drop();
  });

  it('counts a cancellation that arrived before its booking, on the cancellation day, once the booking arrives', async () => {
    await given(db, [cancelled('b-1', '2024-05-03T10:00:00+05:00')]);
    await projectAllOf(db);
    expect(await bookingsDaily(db)).toEqual([]);

    await given(db, [created('b-1', '2024-05-01T10:00:00+05:00')]);
    await projectAllOf(db);
    // 700 CNY × 0.1390 = 97.30 USD
    expect(await bookingsDaily(db)).toEqual([
      { day: '2024-05-01', bookings: 1, revenue_cents: 9730, cancellations: 0, cancelled_cents: 0 },
      { day: '2024-05-03', bookings: 0, revenue_cents: 0, cancellations: 1, cancelled_cents: 9730 },
    ]);
  });

  it('ignores a second cancellation of the same booking', async () => {
    await given(db, [
      created('b-2', '2024-05-01T10:00:00+05:00', '100.00', 'USD'),
      cancelled('b-2', '2024-05-02T10:00:00+05:00'),
    ]);
    await projectAllOf(db);
    await given(db, [cancelled('b-2', '2024-05-04T10:00:00+05:00')]);
    await projectAllOf(db);
    expect(await bookingsDaily(db)).toEqual([
      { day: '2024-05-01', bookings: 1, revenue_cents: 10000, cancellations: 0, cancelled_cents: 0 },
      { day: '2024-05-02', bookings: 0, revenue_cents: 0, cancellations: 1, cancelled_cents: 10000 },
    ]);
  });

  it('puts 2024-12-31T20:00:00Z on 2025-01-01, a local day of Asia/Almaty', async () => {
    await given(db, [
      buildEvent.arrivalRecorded(
        { nationality: 'CN', port: 'ala-airport', purpose: 'tourism', travelers: 4 },
        { occurredAt: '2024-12-31T20:00:00Z' },
      ),
      buildEvent.arrivalRecorded(
        { nationality: 'CN', port: 'ala-airport', purpose: 'tourism', travelers: 1 },
        { occurredAt: '2024-12-31T18:59:59Z' },
      ),
    ]);
    await projectAllOf(db);
    const { rows } = await db.pool.query(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, travelers::int FROM arrivals_daily ORDER BY day`,
    );
    expect(rows).toEqual([
      { day: '2024-12-31', travelers: 1 },
      { day: '2025-01-01', travelers: 4 },
    ]);
  });

  it('converts each price with the rate valid at its occurredAt', async () => {
    await db.pool.query(
      `INSERT INTO currency_rates (currency, valid_from, usd_per_unit) VALUES ('KZT', '2024-06-01T00:00:00Z', 0.002)`,
    );
    await given(db, [
      created('k-1', '2024-05-31T12:00:00Z', '100000', 'KZT'),
      created('k-2', '2024-06-01T12:00:00Z', '100000', 'KZT'),
    ]);
    await projectAllOf(db);
    expect((await bookingsDaily(db)).map((r) => r.revenue_cents)).toEqual([21300, 20000]);
  });

  it('runs one active runner per projection: a second stands by and takes over when the first stops', async () => {
    const arrivals = PROJECTIONS.find((p) => p.name === 'arrivals_daily');
    if (!arrivals) throw new Error('no arrivals projection');
    const options = { batchSize: 100, timeZone: TZ, idleMs: 50, standbyMs: 100 };
    const first = new ProjectionRunner(db.pool, arrivals, tableNames(arrivals), options, quiet);
    const second = new ProjectionRunner(db.pool, arrivals, tableNames(arrivals), options, quiet);
    first.start();
    await waitFor(() => first.active, { what: 'first runner active' });
    second.start();
    await given(db, [
      buildEvent.arrivalRecorded(
        { nationality: 'KZ', port: 'khorgos', purpose: 'business', travelers: 3 },
        { occurredAt: '2024-05-01T00:00:00Z' },
      ),
    ]);
    await waitFor(() => first.applied >= 1, { what: 'first runner applied the event' });
    expect(second.active).toBe(false);

    await first.stop();
    await waitFor(() => second.active, { what: 'second runner took over' });
    await given(db, [
      buildEvent.arrivalRecorded(
        { nationality: 'KZ', port: 'khorgos', purpose: 'business', travelers: 5 },
        { occurredAt: '2024-05-01T01:00:00Z' },
      ),
    ]);
    await waitFor(() => second.applied >= 1, { what: 'second runner applied the new event' });
    await second.stop();
    const { rows } = await db.pool.query('SELECT travelers::int, events::int FROM arrivals_daily');
    expect(rows).toEqual([{ travelers: 8, events: 2 }]);
  });
});
