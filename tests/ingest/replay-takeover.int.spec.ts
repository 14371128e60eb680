import type { Client } from 'pg';
import { buildEvent } from '@caravan/contract';
import { createClient } from '@caravan/database';
import { replayOutcomes, replayRejections, type ReplayProgress } from '@caravan/ingest';
import {
  type AdminRequest,
  claimRequest,
  readRequest,
  RequestSuperseded,
  saveProgress,
  submitRequest,
} from '@caravan/requests';
import { totals, useTestDatabase } from '../harness';

const GROUP = 'replay-takeover';
const TOPIC = 'takeover.arrivals';
const N = 250;

/**
 * A replay whose executor dies halfway, taken over by another: what the first committed stays
 * done, the second goes on after it, no rejection is replayed twice and the counts add up.
 */
describe('a replay request taken over after its executor died (real PostgreSQL)', () => {
  const db = useTestDatabase();
  const sessions: Client[] = [];
  const session = async (): Promise<Client> => {
    const client = createClient({ connectionString: db().url, application_name: 'caravan-test-executor' });
    await client.connect();
    sessions.push(client);
    return client;
  };
  afterAll(async () => {
    await Promise.all(sessions.map((s) => s.end().catch(() => undefined)));
  });

  beforeAll(async () => {
    // Every other rejection is now acceptable (it lacked a rate, say), the rest stays malformed.
    for (let i = 0; i < N; i++) {
      const acceptable = i % 2 === 0;
      const value = acceptable
        ? JSON.stringify(
            buildEvent.arrivalRecorded(
              { nationality: 'CN', port: 'khorgos', purpose: 'tourism', travelers: 1 },
              { occurredAt: '2024-05-01T10:00:00Z' },
            ),
          )
        : `{"broken": ${i}`;
      await db().pool.query(
        `INSERT INTO rejections (consumer_group, source_topic, source_partition, source_offset, record_value, code,
                                 detail)
         VALUES ($1, $2, 0, $3, $4, $5, 'test')`,
        [GROUP, TOPIC, i, Buffer.from(value), acceptable ? 'unknown_currency' : 'malformed_json'],
      );
    }
    await db().pool.query(
      `INSERT INTO ingest_counters (consumer_group, topic, partition, outcome, code, count)
       VALUES ($1, $2, 0, 'consumed', '', $3), ($1, $2, 0, 'rejected', 'unknown_currency', $4),
              ($1, $2, 0, 'rejected', 'malformed_json', $4)`,
      [GROUP, TOPIC, N, N / 2],
    );
  });

  it('keeps the chunks the first claim committed, goes on after them, and refuses the first claim any write', async () => {
    const requested = await submitRequest(db().pool, 'replay', { limit: 10_000 }, 'test');
    const first = await session();
    const claim1 = (await claimRequest(first, 'replay', 'executor-1')) as AdminRequest<'replay'>;
    expect(claim1).toMatchObject({ id: requested.id, status: 'running', attempt: 1 });

    // The first executor dies while its third chunk (of 100) is in its transaction.
    let chunks = 0;
    await expect(
      replayRejections(db().pool, claim1.arguments, () => true, {
        requestId: requested.id,
        onChunk: async (client, progress) => {
          if (++chunks === 3) throw new Error('killed');
          await saveProgress(client, claim1, progress.count, progress);
        },
      }),
    ).rejects.toThrow('killed');
    // Its lock held: nobody else may take the request yet.
    const second = await session();
    expect(await claimRequest(second, 'replay', 'executor-2')).toBeUndefined();
    await first.end();

    const claim2 = (await claimRequest(second, 'replay', 'executor-2')) as AdminRequest<'replay'>;
    expect(claim2).toMatchObject({ id: requested.id, attempt: 2, claimedBy: 'executor-2', progress: 200 });
    const resume = claim2.result as ReplayProgress;
    // Where it stands, not every outcome so far: those are the request's rejection_replays rows.
    expect(resume).toEqual({ after: expect.any(String), count: 200 });
    expect(await replayOutcomes(db().pool, requested.id)).toHaveLength(200);
    await expect(saveProgress(db().pool, claim1, 999)).rejects.toBeInstanceOf(RequestSuperseded);

    const outcomes = await replayRejections(db().pool, claim2.arguments, () => true, {
      requestId: requested.id,
      resume,
      onChunk: (client, progress) => saveProgress(client, claim2, progress.count, progress),
    });
    expect(outcomes).toHaveLength(N);
    expect(new Set(outcomes.map((o) => o.rejectionId)).size).toBe(N);
    expect(outcomes.filter((o) => o.outcome === 'accepted')).toHaveLength(N / 2);
    expect((await readRequest(db().pool, 'replay', requested.id))?.progress).toBe(N);

    const { all } = await totals(db().pool, GROUP);
    expect(all).toMatchObject({ consumed: N, accepted: N / 2, rejected: N / 2 });
    expect(all.consumed).toBe(all.accepted + all.duplicate + all.rejected);
    const replays = await db().pool.query<{ n: number }>(
      'SELECT count(*)::int AS n FROM rejection_replays WHERE request_id = $1',
      [requested.id],
    );
    expect(replays.rows[0]?.n).toBe(N);
    const events = await db().pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events');
    expect(events.rows[0]?.n).toBe(N / 2);
  });
});
