import { loadConfig } from '@caravan/config';
import { SnapshotStream, type StreamedSnapshot } from '@caravan/http-api';
import { listenConnected, streamReads } from '@caravan/observability';
import { appEnv, useTestDatabase, waitFor } from '../harness';

const readsBy = async (reader: 'shared' | 'subscriber'): Promise<number> =>
  (await streamReads.get()).values.find((v) => v.labels.reader === reader)?.value ?? 0;

describe('the live stream fans one read out to every subscriber (real PostgreSQL)', () => {
  const db = useTestDatabase();

  it('300 subscribers on three filters: one history read per update, each gets its rows once, in order, the same rows shared per filter', async () => {
    const pool = db().pool;
    // One snapshot per key to start from (what kpi_latest lists), then the update.
    await pool.query(
      `INSERT INTO kpi_latest (key, kpi, time_window, scope_key, snapshot, position, computed_at)
       VALUES ('arrivals|1d|*', 'arrivals', '1d', '*', '{"n":0}', 0, now()),
              ('bookings|1d|*', 'bookings', '1d', '*', '{"n":0}', 0, now())`,
    );
    await pool.query(
      `INSERT INTO kpi_snapshots (key, kpi, time_window, scope_key, snapshot, position, computed_at)
       VALUES ('arrivals|1d|*', 'arrivals', '1d', '*', '{"n":0}', 0, now()),
              ('bookings|1d|*', 'bookings', '1d', '*', '{"n":0}', 0, now())`,
    );
    // No poll: every shared read below comes from the NOTIFY of the update.
    const stream = new SnapshotStream(pool, loadConfig('api', { ...appEnv(db().url), API_STREAM_POLL_MS: '600000' }));
    const filters = [{ kpi: 'arrivals', scope: {} }, { kpi: 'bookings', scope: {} }, { scope: {} }];
    const subscribers = Array.from({ length: 300 }, (_, i) => ({
      filter: filters[i % 3] as (typeof filters)[number],
      received: [] as StreamedSnapshot[],
      batches: [] as StreamedSnapshot[][],
    }));
    const subscriptions = [];
    const ownBefore = await readsBy('subscriber');
    try {
      for (const s of subscribers) {
        subscriptions.push(
          await stream.subscribe(s.filter, undefined, (rows) => {
            s.received.push(...rows);
            s.batches.push(rows);
          }),
        );
      }
      // Each began with its own read of the latest per key.
      expect((await readsBy('subscriber')) - ownBefore).toBe(300);
      await waitFor(
        async () =>
          (await listenConnected.get()).values.some((v) => v.labels.channel === 'caravan_snapshots' && v.value === 1),
        { what: 'the stream listening' },
      );
      const sharedBefore = await readsBy('shared');
      const initial = subscribers.map((s) => s.received.length);

      const { rows } = await pool.query<{ id: string; kpi: string }>(
        `WITH added AS (
           INSERT INTO kpi_snapshots (key, kpi, time_window, scope_key, snapshot, position, computed_at)
           SELECT kpi || '|1d|*', kpi, '1d', '*', jsonb_build_object('n', n), n, now()
           FROM generate_series(1, 40) AS n, (VALUES ('arrivals'), ('bookings')) AS k(kpi)
           RETURNING id, kpi)
         SELECT id::text AS id, kpi FROM added ORDER BY added.id`,
      );
      await pool.query(`SELECT pg_notify('caravan_snapshots', '')`);
      const expected = (kpi: string | undefined) =>
        rows.filter((r) => kpi === undefined || r.kpi === kpi).map((r) => r.id);
      await waitFor(
        () => subscribers.every((s, i) => s.received.length - (initial[i] as number) >= expected(s.filter.kpi).length),
        { what: 'every subscriber given the update' },
      );

      for (const [i, s] of subscribers.entries()) {
        expect(s.received.slice(initial[i]).map((r) => r.id)).toEqual(expected(s.filter.kpi));
      }
      // One read of the history for all 300 (a second one only if a wake-up came during it).
      const shared = (await readsBy('shared')) - sharedBefore;
      expect(shared).toBeGreaterThanOrEqual(1);
      expect(shared).toBeLessThanOrEqual(2);
      // Subscribers with one filter were handed the very same rows (their frames are built once).
      for (let f = 0; f < 3; f++) {
        const lasts = subscribers.filter((_, i) => i % 3 === f).map((s) => s.batches[s.batches.length - 1]);
        expect(lasts.every((b) => b === lasts[0])).toBe(true);
      }
    } finally {
      for (const s of subscriptions) s.unsubscribe();
      await stream.onModuleDestroy();
    }
  });
});
