import fc from 'fast-check';
import type { KpiSnapshot } from '@caravan/contract';
import { snapshotKey } from '@caravan/contract';
import { arrivalsDaily, bookings, PROJECTIONS, rebuildProjection } from '@caravan/projections';
import { computeSnapshotSet, IncrementalSnapshots } from '@caravan/publisher';
import { createTestDatabase, projectAll, storeEvents, type TestDatabase } from '../harness';
import { eventSets } from '../projections/event-arbitrary';

const TZ = 'Asia/Almaty';

const byKey = (snapshots: KpiSnapshot[]): Map<string, KpiSnapshot> =>
  new Map(snapshots.map((s) => [snapshotKey(s.kpi, s.window, s.scope), s]));

/** The incremental computation and the full one over the same state of the tables, snapshot by snapshot. */
async function expectSameAsFull(db: TestDatabase, incremental: IncrementalSnapshots): Promise<void> {
  const at = new Date('2025-01-01T00:00:00Z');
  const kept = await incremental.compute(at);
  const full = await computeSnapshotSet(db.pool, TZ, at);
  expect(kept.position).toBe(full.position);
  expect(kept.snapshots).toHaveLength(full.snapshots.length);
  expect(byKey(kept.snapshots)).toEqual(byKey(full.snapshots));
}

describe('publisher: day sums kept between runs give the snapshots that reading every window gives (property-based, real PostgreSQL)', () => {
  it('holds after every chunk of generated events, late ones and cancellations before their booking included', async () => {
    await fc.assert(
      fc.asyncProperty(
        eventSets,
        fc.integer({ min: 1, max: 6 }),
        fc.integer({ min: 1, max: 9 }),
        async (events, chunks, batchSize) => {
          const db = await createTestDatabase();
          try {
            // Never checked against the tables (that would correct it): what it keeps must be right by itself.
            const incremental = new IncrementalSnapshots(db.pool, TZ, Number.POSITIVE_INFINITY);
            await expectSameAsFull(db, incremental);
            const size = Math.ceil(events.length / chunks);
            for (let i = 0; i < events.length; i += size) {
              await storeEvents(db.pool, events.slice(i, i + size), 3);
              await projectAll(db.pool, { timeZone: TZ, batchSize });
              await expectSameAsFull(db, incremental);
              expect(incremental.run.verified).toBe(false);
            }
          } finally {
            await db.drop();
          }
        },
      ),
      { numRuns: 20 },
    );
  }, 1_200_000);

  describe('on one database', () => {
    let db: TestDatabase;
    // Generated sets joined: some hundred events of every kind, over the days the arbitrary knows.
    const events = [
      ...new Map(
        fc
          .sample(eventSets, { numRuns: 30, seed: 18 })
          .flat()
          .map((e) => [e.eventId, e]),
      ).values(),
    ];

    beforeAll(async () => {
      db = await createTestDatabase();
      await storeEvents(db.pool, events.slice(0, Math.ceil(events.length / 2)));
      await projectAll(db.pool, { timeZone: TZ });
    });
    afterAll(() => db.drop());

    it('starts a table over when a rebuild swaps another in, and reads only the days written since', async () => {
      const incremental = new IncrementalSnapshots(db.pool, TZ, Number.POSITIVE_INFINITY);
      await expectSameAsFull(db, incremental);
      expect(incremental.run.reloaded.sort()).toEqual(['arrivals_daily', 'bookings_daily', 'media_daily']);
      // Each table is read afresh once more after its oid was first seen (see TableState.settled).
      await expectSameAsFull(db, incremental);
      expect(incremental.run.reloaded.sort()).toEqual(['arrivals_daily', 'bookings_daily', 'media_daily']);
      // Nothing written since: nothing read again.
      await expectSameAsFull(db, incremental);
      expect(incremental.run).toMatchObject({ reloaded: [], daysRead: 0 });

      await rebuildProjection(db.pool, arrivalsDaily, { timeZone: TZ, batchSize: 5 });
      await expectSameAsFull(db, incremental);
      expect(incremental.run.reloaded).toEqual(['arrivals_daily']);
      // Read afresh once more on the next run (a swap may commit between the snapshot and the oid's read), then settled.
      await expectSameAsFull(db, incremental);
      expect(incremental.run.reloaded).toEqual(['arrivals_daily']);
      await expectSameAsFull(db, incremental);
      expect(incremental.run).toMatchObject({ reloaded: [], daysRead: 0 });

      await storeEvents(db.pool, events.slice(Math.ceil(events.length / 2)));
      await projectAll(db.pool, { timeZone: TZ, batchSize: 4 });
      await rebuildProjection(db.pool, bookings, { timeZone: TZ, batchSize: 3 });
      await expectSameAsFull(db, incremental);
      expect(incremental.run.reloaded).toEqual(['bookings_daily']);
    });

    it('finds, reports and corrects a change of a daily table that left no hand-off, when it checks', async () => {
      const incremental = new IncrementalSnapshots(db.pool, TZ, 0);
      await expectSameAsFull(db, incremental);
      expect(incremental.run).toMatchObject({ verified: true, drift: [] });
      // Settled (read twice): from now on only the hand-off says what to read again.
      await expectSameAsFull(db, incremental);
      expect(incremental.run).toMatchObject({ verified: true, drift: [] });
      // Written behind the projector's back (as a projector of an older version would): no hand-off row.
      const { rowCount } = await db.pool.query(
        `UPDATE arrivals_daily SET travelers = travelers + 1000
         WHERE (day, nationality, port, purpose, destination) IN (
           SELECT day, nationality, port, purpose, destination FROM arrivals_daily
           WHERE day = (SELECT max(day) FROM arrivals_daily) ORDER BY 2, 3, 4, 5 LIMIT 1)`,
      );
      expect(rowCount).toBe(1);
      await expectSameAsFull(db, incremental);
      expect(incremental.run.verified).toBe(true);
      expect(incremental.run.drift.length).toBeGreaterThan(0);
      expect(incremental.run.drift.some((d) => d.startsWith('arrivals|'))).toBe(true);
      // Started over: equal again, and no drift on the next check.
      await expectSameAsFull(db, incremental);
      expect(incremental.run).toMatchObject({ verified: true, drift: [] });
    });

    it('every projection writing a daily table leaves its hand-off', async () => {
      const { rows } = await db.pool.query<{ table_name: string }>(
        'SELECT DISTINCT table_name FROM aggregate_days_changed ORDER BY 1',
      );
      const daily = PROJECTIONS.flatMap((p) => p.tables).filter((t) => t.endsWith('_daily'));
      expect(rows.map((r) => r.table_name).filter((t) => daily.includes(t))).toEqual([...daily].sort());
    });
  });
});
