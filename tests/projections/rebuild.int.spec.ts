import { buildEvent } from '@caravan/contract';
import type { OutgoingEvent } from '@caravan/kafka';
import { projectionProgress } from '@caravan/event-store';
import { PROJECTIONS, ProjectionRunner, rebuildProjection, tableNames } from '@caravan/projections';
import { prng, projectAll, storeEvents, useTestDatabase, waitFor, type TestDatabase } from '../harness';
import { expectedFromEvents, projected } from '@caravan/simulator';

const bookingsLag = async (pool: Parameters<typeof projectionProgress>[0]): Promise<number | undefined> =>
  (await projectionProgress(pool, ['bookings']))[0]?.lagEvents;

const TZ = 'Asia/Almaty';
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };
const bookingsProjection = PROJECTIONS.find((p) => p.name === 'bookings');

const append = (db: TestDatabase, events: OutgoingEvent[]) => storeEvents(db.pool, events);

function bookingEvents(n: number, seed: number): OutgoingEvent[] {
  const random = prng(seed);
  return Array.from({ length: n }, (_, i) => {
    const bookingId = `b-${Math.floor(random() * n)}`;
    const occurredAt = new Date(
      Date.UTC(2024, 0, 1) + Math.floor(random() * 360) * 86_400_000 + 36_000_000,
    ).toISOString();
    return random() < 0.3
      ? buildEvent.bookingCancelled({ bookingId }, { occurredAt })
      : buildEvent.bookingCreated(
          {
            bookingId,
            market: random() < 0.7 ? 'CN' : 'RU',
            destination: random() < 0.6 ? 'almaty' : 'astana',
            channel: 'ota',
            travelers: 1 + (i % 3),
            checkIn: '2024-09-01',
            nights: 2,
            price: { amount: (random() * 900).toFixed(2), currency: random() < 0.5 ? 'CNY' : 'USD' },
          },
          { occurredAt },
        );
  });
}

describe('rebuilding a projection while events keep arriving (real PostgreSQL)', () => {
  const db = useTestDatabase();

  it('replays into shadow tables, reports no difference, swaps without failing concurrent queries, and ends equal to SQL over the events', async () => {
    if (!bookingsProjection) throw new Error('no bookings projection');
    await append(db(), bookingEvents(2_000, 1));
    const runner = new ProjectionRunner(
      db().pool,
      bookingsProjection,
      tableNames(bookingsProjection),
      { batchSize: 300, timeZone: TZ, idleMs: 20, standbyMs: 100 },
      quiet,
    );
    runner.start();
    await waitFor(async () => runner.active && (await bookingsLag(db().pool)) === 0, {
      what: 'live projection caught up',
    });

    let writing = true;
    let queries = 0;
    const queryErrors: string[] = [];
    const writer = (async () => {
      for (let i = 0; writing; i++) await append(db(), bookingEvents(20, 100 + i));
    })();
    const reader = (async () => {
      while (writing) {
        await db()
          .pool.query('SELECT sum(bookings) AS b, sum(revenue_cents) AS r FROM bookings_daily')
          .then(
            () => void (queries += 1),
            (e: Error) => void queryErrors.push(e.message),
          );
      }
    })();

    try {
      const report = await rebuildProjection(db().pool, bookingsProjection, { timeZone: TZ, batchSize: 500 }).finally(
        async () => {
          writing = false;
          await Promise.all([writer, reader]);
        },
      );
      expect(report).toMatchObject({ projection: 'bookings', swapped: true, differences: [] });
      expect(report.eventsReplayed).toBeGreaterThanOrEqual(2_000);
      expect(queryErrors).toEqual([]);
      expect(queries).toBeGreaterThan(0);

      // The live runner goes on from the rebuilt checkpoint.
      await waitFor(async () => (await bookingsLag(db().pool)) === 0, {
        what: 'live projection caught up after the swap',
      });
    } finally {
      await runner.stop();
    }
    expect((await projected(db().pool)).bookings).toEqual((await expectedFromEvents(db().pool, TZ)).bookings);
  });

  it('reports the rows a damaged live table got wrong, and repairs them by the swap', async () => {
    if (!bookingsProjection) throw new Error('no bookings projection');
    await projectAll(db().pool, { timeZone: TZ }, [bookingsProjection]);
    await db().pool.query(
      `UPDATE bookings_daily SET bookings = bookings + 5
       WHERE ctid = (SELECT ctid FROM bookings_daily ORDER BY day LIMIT 1)`,
    );
    const report = await rebuildProjection(db().pool, bookingsProjection, { timeZone: TZ, batchSize: 1_000 });
    expect(report.differences).toHaveLength(1);
    expect(report.differences[0]).toMatchObject({ table: 'bookings_daily', differingRows: 2 });
    expect((await projected(db().pool)).bookings).toEqual((await expectedFromEvents(db().pool, TZ)).bookings);
  });
});
