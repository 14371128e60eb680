import type { Client } from 'pg';
import { loadConfig } from '@caravan/config';
import { buildEvent } from '@caravan/contract';
import { createClient, DatabaseStartup } from '@caravan/database';
import { ReplayRequests } from '@caravan/ingest';
import { type AdminRequest, readRequest, type ReplayResult, submitRequest } from '@caravan/requests';
import { RatesCache } from '../../libs/ingest/src/rates-cache';
import { appEnv, totals, type TestDatabase, useTestDatabase, waitFor } from '../harness';

const GROUP = 'replay-locked';
const TOPIC = 'locked.arrivals';
const N = 250;
/** In the second chunk of 100: the first commits before the replay reaches it. */
const LOCKED = 150;

/** N rejections (ids 1..N), every other one acceptable now, with counters that add up. */
async function seed(db: TestDatabase): Promise<void> {
  const values = Array.from({ length: N }, (_, i) =>
    i % 2 === 0
      ? JSON.stringify(
          buildEvent.arrivalRecorded(
            { nationality: 'CN', port: 'khorgos', purpose: 'tourism', travelers: 1 },
            { occurredAt: '2024-05-01T10:00:00Z' },
          ),
        )
      : `{"broken": ${i}`,
  );
  await db.pool.query(
    `INSERT INTO rejections (consumer_group, source_topic, source_partition, source_offset, record_value, code, detail)
     SELECT $1, $2, 0, v.ord - 1, convert_to(v.value, 'UTF8'),
            CASE WHEN v.ord % 2 = 1 THEN 'unknown_currency' ELSE 'malformed_json' END, 'test'
     FROM unnest($3::text[]) WITH ORDINALITY AS v(value, ord) ORDER BY v.ord`,
    [GROUP, TOPIC, values],
  );
  await db.pool.query(
    `INSERT INTO ingest_counters (consumer_group, topic, partition, outcome, code, count)
     VALUES ($1, $2, 0, 'consumed', '', $3), ($1, $2, 0, 'rejected', 'unknown_currency', $4),
            ($1, $2, 0, 'rejected', 'malformed_json', $4)`,
    [GROUP, TOPIC, N, N / 2],
  );
}

/**
 * A replay meeting a rejection another transaction holds (the DLQ relay marking it published,
 * say) waits for it, or, past its lock timeout, is interrupted and resumed from its saved cursor:
 * it never skips the row, so every rejection selected gets exactly one outcome.
 */
describe.each([
  ['released within the lock timeout: the chunk waits for it', (r: AdminRequest<'replay'>) => r.attempt === 1],
  [
    'held past the lock timeout: the chunk rolls back and the replay resumes',
    (r: AdminRequest<'replay'>) => r.attempt >= 2,
  ],
])('a replay meeting a locked rejection, %s (real PostgreSQL)', (_, releaseWhen) => {
  const db = useTestDatabase();
  let holder: Client;
  let executor: ReplayRequests;

  beforeAll(async () => {
    await seed(db());
    holder = createClient({ connectionString: db().url, application_name: 'caravan-test-lock-holder' });
    await holder.connect();
    const config = loadConfig('ingestor', appEnv(db().url));
    executor = new ReplayRequests(db().pool, config, new DatabaseStartup(db().pool, config), new RatesCache(db().pool));
  });
  // Before the database is dropped (the harness's afterAll runs first).
  const stop = async () => {
    await executor.onModuleDestroy();
    await holder.end().catch(() => undefined);
  };

  it('gives every selected rejection exactly one outcome, and the counts add up', async () => {
    try {
      await replayPastTheLock();
    } finally {
      await stop();
    }
  });

  async function replayPastTheLock(): Promise<void> {
    await holder.query('BEGIN');
    await holder.query('SELECT id FROM rejections WHERE id = $1 FOR UPDATE', [LOCKED]);
    const requested = await submitRequest(db().pool, 'replay', { limit: 10_000 }, 'test');
    executor.onApplicationBootstrap();

    // The replay reaches the locked rejection and waits on it (a replay that skipped it never would).
    await waitFor(
      async () => {
        const request = await readRequest(db().pool, 'replay', requested.id);
        const { rows } = await db().pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()`,
        );
        return request !== undefined && releaseWhen(request) && rows[0]?.n === 1;
      },
      { timeoutMs: 30_000, what: 'the replay waiting on the locked rejection' },
    );
    await holder.query('COMMIT');

    const done = await waitFor(
      async () => {
        const request = await readRequest(db().pool, 'replay', requested.id);
        return request?.status === 'done' || request?.status === 'failed' ? request : undefined;
      },
      { timeoutMs: 30_000, what: 'the replay done' },
    );
    expect(done).toMatchObject({ status: 'done', progress: N });
    const { outcomes } = done.result as ReplayResult;
    expect(outcomes.map((o) => Number(o.rejectionId))).toEqual(Array.from({ length: N }, (_, i) => i + 1));
    expect(outcomes.find((o) => o.rejectionId === String(LOCKED))).toEqual({
      rejectionId: String(LOCKED),
      outcome: 'rejected',
      code: 'malformed_json',
      detail: expect.any(String),
    });
    expect(outcomes.filter((o) => o.outcome === 'accepted')).toHaveLength(N / 2);

    const replays = await db().pool.query<{ n: number; rejections: number }>(
      'SELECT count(*)::int AS n, count(DISTINCT rejection_id)::int AS rejections FROM rejection_replays',
    );
    expect(replays.rows[0]).toEqual({ n: N, rejections: N });
    const { all } = await totals(db().pool, GROUP);
    expect(all).toMatchObject({ consumed: N, accepted: N / 2, rejected: N / 2 });
    expect(all.consumed).toBe(all.accepted + all.duplicate + all.rejected);
  }
});
