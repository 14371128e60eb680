import fc from 'fast-check';
import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '@caravan/database';
import { readEventsAfter, START_OF_STORE } from '@caravan/event-store';
import { catchUp, ensureProjectionTables, loadRates, PROJECTIONS, tableNames } from '@caravan/projections';
import { createTestDatabase, prng, projectAll, storeEvents } from '../harness';
import { eventSets } from './event-arbitrary';
import { computeSnapshotSet } from '@caravan/publisher';
import { windowsAt } from '@caravan/domain';
import { expectedFromEvents, kpisFromEvents, projected } from '@caravan/simulator';

const TZ = 'Asia/Almaty';

async function withClient<T>(pool: Pool, work: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    return await work(client);
  } finally {
    client.release();
  }
}

describe('projections: any order, batching and duplication give the aggregates plain SQL gives (property-based, real PostgreSQL)', () => {
  it('holds for generated event sets', async () => {
    await fc.assert(
      fc.asyncProperty(
        eventSets,
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer({ min: 1, max: 9 }),
        fc.integer(),
        async (events, perTransaction, batchSize, otherBatchSize, seed) => {
          const db = await createTestDatabase();
          try {
            // Redelivered events (the same eventId again) change nothing: the store keeps one.
            const withDuplicates = [...events, ...events.filter((_, i) => i % 3 === 0)];
            await storeEvents(db.pool, withDuplicates, perTransaction);
            await projectAll(db.pool, { timeZone: TZ, batchSize });
            const fromSql = await expectedFromEvents(db.pool, TZ);
            expect(await projected(db.pool)).toEqual(fromSql);

            // Every whole-market KPI of every window and of the year before equals SQL over the events.
            const { snapshots } = await computeSnapshotSet(db.pool, TZ);
            const { rows } = await db.pool.query<{ w: Date }>('SELECT max(occurred_at) AS w FROM events');
            for (const window of windowsAt((rows[0]?.w as Date).getTime(), TZ)) {
              const now = await kpisFromEvents(db.pool, TZ, window.current.from, window.current.to);
              const before = await kpisFromEvents(db.pool, TZ, window.previous.from, window.previous.to);
              for (const kpi of Object.keys(now)) {
                const snapshot = snapshots.find(
                  (x) => x.kpi === kpi && x.window === window.name && Object.keys(x.scope).length === 0,
                );
                expect({ kpi, window: window.name, value: snapshot?.value, previous: snapshot?.previous }).toEqual({
                  kpi,
                  window: window.name,
                  value: now[kpi],
                  previous: before[kpi],
                });
              }
            }

            // The same events in another order and other batches, into a shadow set of tables (a
            // projection folded inside PostgreSQL takes the store's ranges: other ranges, then).
            const stored = await readEventsAfter(db.pool, START_OF_STORE, 10_000);
            const random = prng(seed);
            const shuffled = [...stored].sort(() => random() - 0.5);
            const rates = await loadRates(db.pool);
            for (const p of PROJECTIONS) {
              const shadow = tableNames(p, '_perm');
              await withTransaction(db.pool, (c) => ensureProjectionTables(c, p, shadow));
              const apply = p.apply;
              if (!apply) {
                await withClient(db.pool, (c) =>
                  catchUp(c, p, shadow, { batchSize: otherBatchSize, timeZone: TZ, checkpointName: `${p.name}_perm` }),
                );
                continue;
              }
              for (let i = 0; i < shuffled.length; i += otherBatchSize) {
                const batch = shuffled.slice(i, i + otherBatchSize).filter((e) => p.eventTypes.includes(e.type));
                await withTransaction(db.pool, (c) => apply(c, batch, shadow, { timeZone: TZ, rates }));
              }
            }
            expect(await projected(db.pool, '_perm')).toEqual(fromSql);
          } finally {
            await db.drop();
          }
        },
      ),
      // A fixed number of runs, however long they take: a busy machine is slower, not wrong.
      { numRuns: 25 },
    );
    // Only a guard against a hang (25 runs, each with a fresh database, and shrinking on failure).
  }, 1_800_000);
});
