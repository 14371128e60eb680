import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import { AdminService } from '@caravan/http-api';
import { buildEvent } from '@caravan/contract';
import { loadConfig } from '@caravan/config';
import { listSetAside } from '@caravan/event-store';
import { PROJECTIONS, ProjectionRunner, rebuildProjection, tableNames } from '@caravan/projections';
import { appEnv, projectAll, storeEvents, useTestDatabase, waitFor } from '../harness';

const TZ = 'Asia/Almaty';

/**
 * Appends an event as a store of the first wave could hold it: accepted before the bounds of
 * 2026-11-30, or with data no projection foresaw. The validator refuses such records today, so
 * they go straight into the store, as the ingestor would have appended them.
 */
async function storedAsOfOld(
  pool: Pool,
  type: string,
  occurredAt: string,
  data: Record<string, unknown>,
  version = 1,
): Promise<string> {
  const eventId = randomUUID();
  await pool.query(
    `INSERT INTO events (event_id, type, version, occurred_at, producer, data, content_hash, source_topic,
                         source_partition, source_offset)
     VALUES ($1::uuid, $2, $5, $3, 'first-wave', $4, decode(md5($1::text), 'hex'), 'old', 0, 0)`,
    [eventId, type, occurredAt, JSON.stringify(data), version],
  );
  return eventId;
}

const arrival = (travelers: number, occurredAt = '2024-05-01T10:00:00+05:00') =>
  buildEvent.arrivalRecorded(
    { nationality: 'CN', port: 'khorgos', purpose: 'tourism', travelers, destination: 'almaty' },
    { occurredAt },
  );
const booking = (bookingId: string, amount: string, currency: string) =>
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
    { occurredAt: '2024-05-01T10:00:00+05:00' },
  );

describe('projections set an event they cannot apply aside and go on (real PostgreSQL)', () => {
  const db = useTestDatabase();

  it('sets aside exactly the events that fail, applies all the others, and a rebuild after the fix applies them', async () => {
    const pool = db().pool;
    await storeEvents(pool, [arrival(1), arrival(2), booking('b-1', '100.00', 'USD')]);
    // Data the SQL fold cannot read (travelers as text), a price in a currency whose rate ops removed
    // since, and a cancellation in year 0099 (a short year the first wave wrote as "99-06-01").
    const unreadable = await storedAsOfOld(pool, 'ArrivalRecorded', '2024-05-01T11:00:00+05:00', {
      nationality: 'CN',
      port: 'khorgos',
      purpose: 'tourism',
      travelers: 'three',
    });
    const noRate = await storedAsOfOld(pool, 'BookingCreated', '2024-05-01T12:00:00+05:00', {
      bookingId: 'b-gold',
      market: 'CN',
      destination: 'almaty',
      channel: 'ota',
      travelers: 1,
      checkIn: '2024-07-01',
      nights: 1,
      price: { amount: '10.00', currency: 'XAU' },
    });
    await storedAsOfOld(pool, 'BookingCancelled', '0099-06-01T00:00:00Z', { bookingId: 'b-1' });
    await storeEvents(pool, [arrival(4, '2024-05-02T10:00:00+05:00'), booking('b-2', '50.00', 'USD')]);

    await projectAll(pool, { timeZone: TZ, batchSize: 1_000 });

    const { items, total } = await listSetAside(pool, { limit: 10 });
    expect(total).toBe(2);
    expect(items.map((i) => [i.projection, i.eventId]).sort()).toEqual(
      [
        ['arrivals_daily', unreadable],
        ['bookings', noRate],
      ].sort(),
    );
    expect(items.find((i) => i.eventId === unreadable)?.error).toMatch(
      /^\[22P02\] invalid input syntax for type bigint: "three"/,
    );
    expect(items.find((i) => i.eventId === noRate)?.error).toMatch(/no XAU rate/);
    // Every projection reached the head of the store; the others' events are all applied.
    const { rows: checkpoints } = await pool.query<{ name: string; position: string }>(
      'SELECT name, position::text FROM projection_checkpoints ORDER BY name',
    );
    const { rows: head } = await pool.query<{ max: string }>('SELECT max(position)::text AS max FROM events');
    expect(checkpoints.map((c) => c.position)).toEqual(PROJECTIONS.map(() => head[0]?.max));
    const { rows: arrivals } = await pool.query<{ travelers: number }>(
      'SELECT sum(travelers)::int AS travelers FROM arrivals_daily',
    );
    expect(arrivals[0]?.travelers).toBe(1 + 2 + 4);
    const { rows: bookings } = await pool.query<{
      day: string;
      bookings: number;
      revenue_cents: number;
      cancellations: number;
    }>(
      `SELECT to_char(day, 'YYYY-MM-DD') AS day, bookings::int, revenue_cents::int, ` +
        `cancellations::int FROM bookings_daily ORDER BY day`,
    );
    // The year-0099 cancellation is applied on its own day (padded, not refused, not 2099).
    expect(bookings).toEqual([
      { day: '0099-06-01', bookings: 0, revenue_cents: 0, cancellations: 1 },
      { day: '2024-05-01', bookings: 2, revenue_cents: 15000, cancellations: 0 },
    ]);

    // Ops give gold a rate: a rebuild applies the booking it had set aside, the unreadable arrival stays aside.
    await pool.query(
      `INSERT INTO currency_rates (currency, valid_from, usd_per_unit) VALUES ('XAU', '2000-01-01T00:00:00Z', 2400)`,
    );
    const rebuiltBookings = await rebuildProjection(
      pool,
      PROJECTIONS.find((p) => p.name === 'bookings')!,
      { timeZone: TZ, batchSize: 1_000 },
    );
    expect(rebuiltBookings.setAside).toBe(0);
    expect(rebuiltBookings.differences.map((d) => d.table).sort()).toEqual(['booking_state', 'bookings_daily']);
    const rebuiltArrivals = await rebuildProjection(
      pool,
      PROJECTIONS.find((p) => p.name === 'arrivals_daily')!,
      { timeZone: TZ, batchSize: 1_000 },
    );
    expect(rebuiltArrivals.setAside).toBe(1);
    const after = await listSetAside(pool, { limit: 10 });
    expect(after.items.map((i) => [i.projection, i.eventId])).toEqual([['arrivals_daily', unreadable]]);
    const { rows: gold } = await pool.query<{ revenue_cents: string }>(
      `SELECT revenue_cents::text FROM bookings_daily WHERE day = '2024-05-01'`,
    );
    expect(gold[0]?.revenue_cents).toBe(String(15000 + 10 * 2400 * 100));

    // The admin endpoint's service lists them too.
    const admin = new AdminService(pool, loadConfig('api', appEnv(db().url)));
    expect(await admin.setAside({ projection: 'arrivals_daily', limit: 10, offset: 0 })).toMatchObject({
      total: 1,
      items: [{ eventId: unreadable, position: expect.any(String) }],
    });
  });

  it('a running projector goes on past a bad event (the runner logs it at error), also at positions 99 and 100', async () => {
    const pool = db().pool;
    const errors: string[] = [];
    const media = PROJECTIONS.find((p) => p.name === 'media_daily')!;
    // The bad event at 99 and a good one at 100 in one batch: bisected in position order (as text,
    // 100 sorts before 99).
    const { rows: head } = await pool.query<{ n: number }>('SELECT coalesce(max(position), 0)::int AS n FROM events');
    await storeEvents(
      pool,
      Array.from({ length: 98 - (head[0]?.n ?? 0) }, (_, i) => arrival(1 + (i % 3))),
    );
    const bad = await storedAsOfOld(pool, 'MediaViewsReported', '2024-05-01T10:00:00+05:00', {
      platform: 'douyin',
      campaign: 'visit-kz',
      market: 'CN',
      views: 1e300,
    });
    await storeEvents(pool, [
      buildEvent.mediaViewsReported(
        { platform: 'douyin', campaign: 'visit-kz', market: 'CN', views: 7 },
        { occurredAt: '2024-05-01T11:00:00+05:00' },
      ),
    ]);
    const { rows: positions } = await pool.query<{ position: string }>(
      `SELECT position::text FROM events WHERE type = 'MediaViewsReported' ORDER BY events.position`,
    );
    expect(positions.map((p) => p.position)).toEqual(['99', '100']);
    const runner = new ProjectionRunner(
      pool,
      media,
      tableNames(media),
      { batchSize: 100, timeZone: TZ, idleMs: 20, standbyMs: 50 },
      {
        log: () => undefined,
        warn: () => undefined,
        error: (m) => errors.push(m),
      },
    );
    runner.start();
    try {
      await waitFor(
        async () => {
          const { rows } = await pool.query<{ views: string }>(`SELECT sum(views)::text AS views FROM media_daily`);
          return rows[0]?.views === '7';
        },
        { what: 'the good report applied past the bad one' },
      );
      expect(errors).toEqual([expect.stringContaining(`event ${bad} (MediaViewsReported`)]);
    } finally {
      await runner.stop();
    }
  });
});

describe('an event no reader can parse is set aside all the same (real PostgreSQL)', () => {
  const db = useTestDatabase();

  it('sets aside an event of a version without a schema: its id and type come from the store, not its payload', async () => {
    const pool = db().pool;
    await storeEvents(pool, [arrival(1)]);
    // A version this build has no schema for: reading its payload (upcasting it) throws.
    const unknown = await storedAsOfOld(pool, 'BookingCancelled', '2024-05-01T10:00:00+05:00', { bookingId: 'b-1' }, 2);
    await storeEvents(pool, [arrival(2, '2024-05-02T10:00:00+05:00')]);

    await projectAll(pool, { timeZone: TZ, batchSize: 1_000 });

    const { items } = await listSetAside(pool, { limit: 10 });
    expect(items.map((i) => [i.projection, i.eventId, i.eventType])).toEqual([
      ['bookings', unknown, 'BookingCancelled'],
    ]);
    expect(items[0]?.error).toMatch(/no schema for BookingCancelled@2/);
    const { rows: checkpoints } = await pool.query<{ position: string }>(
      'SELECT position::text FROM projection_checkpoints ORDER BY name',
    );
    expect(checkpoints.map((c) => c.position)).toEqual(PROJECTIONS.map(() => '3'));
  });
});
