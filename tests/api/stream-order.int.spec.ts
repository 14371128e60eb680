import { loadConfig } from '@caravan/config';
import { SnapshotStream, type StreamedSnapshot } from '@caravan/http-api';
import { appEnv, useTestDatabase, waitFor } from '../harness';

// `SELECT id::text AS id … ORDER BY id` sorts the text column: 1000 before 999. With more rows
// than one read takes (1,000), a subscriber then missed some and got others out of order.
describe('the live stream reads the history in id order (real PostgreSQL)', () => {
  const db = useTestDatabase();

  it('delivers 2,500 snapshots, ids crossing 1,000, each once and in order', async () => {
    await db().pool.query(
      `INSERT INTO kpi_snapshots (key, kpi, time_window, scope_key, snapshot, position, computed_at)
       SELECT 'arrivals|1d|*', 'arrivals', '1d', '*', jsonb_build_object('n', n), n, now()
       FROM generate_series(1, 2500) AS n`,
    );
    const stream = new SnapshotStream(db().pool, loadConfig('api', appEnv(db().url)));
    const received: StreamedSnapshot[] = [];
    const { unsubscribe } = await stream.subscribe({ kpi: 'arrivals', scope: {} }, 0n, (rows) =>
      received.push(...rows),
    );
    try {
      await waitFor(() => received.length >= 2_500, { what: '2,500 snapshots streamed' });
      const { rows } = await db().pool.query<{ id: string }>(
        'SELECT id::text AS id FROM kpi_snapshots ORDER BY kpi_snapshots.id',
      );
      expect(received.map((r) => r.id)).toEqual(rows.map((r) => r.id));
    } finally {
      unsubscribe();
      await stream.onModuleDestroy();
    }
  });
});
