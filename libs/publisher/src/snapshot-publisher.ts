import { performance } from 'node:perf_hooks';
import type { Kafka, Producer } from 'kafkajs';
import { createProducer, keyCachingPartitioner } from '@caravan/kafka';
import type { Pool, PoolClient } from 'pg';
import { type KpiSnapshot, scopeKey, snapshotKey } from '@caravan/contract';
import { withTransaction } from '@caravan/database';
import { fingerprint } from './build-snapshots';
import { type IncrementalRun, IncrementalSnapshots } from './compute-all';
import { changesToPublish, keyed, provisionalAfter } from './republish';

/**
 * The publisher's producer: transactional, with one id per snapshot topic (per pipeline), so that
 * the producer of a new leader fences off the previous leader's (its sends then fail).
 */
export function createSnapshotProducer(
  kafka: Kafka,
  topic: string,
  compression?: Parameters<typeof createProducer>[2],
): Producer {
  // Its retries are the client's (finite): a send that fails fails the run, which the publisher
  // retries with backoff on a fresh producer, so a fenced or stuck producer never blocks the loop
  // (kafkajs warns that limited retries may weaken an idempotent producer's guarantees: every
  // failed transaction is aborted and its snapshots sent again in a new one).
  return createProducer(
    kafka,
    {
      transactionalId: `caravan-publisher:${topic}`,
      idempotent: true,
      maxInFlightRequests: 1,
      // The same ~700 keys every run: each one's partition hashed once.
      createPartitioner: keyCachingPartitioner(),
    },
    compression,
  );
}

export type PublishResult = {
  computed: number;
  published: number;
  position: number;
  /** Milliseconds of each phase: reading the aggregates, the Kafka transaction, the PostgreSQL write. */
  phases: { compute: number; kafka: number; store: number };
  /** How the values were computed: the days read again, the tables started over, the check against the tables. */
  sums: IncrementalRun;
};

/**
 * Computes the snapshots and publishes those that changed since the last publication: to the
 * compacted topic (key kpi|window|scope, in a Kafka transaction) and to PostgreSQL (history and
 * latest), in that order, remembering them only once both took them.
 *
 * Run by the one leading publisher: `leader` is the session holding its lock, and every write to
 * PostgreSQL goes through it, so a leader that lost its session (frozen, partitioned, its lock now
 * another's) can write nothing; its Kafka producer shares a transactional id with every publisher
 * of the pipeline, so the next leader's fences it off Kafka too. `kpi_latest` never goes back to a
 * lower position whatever happens.
 */
export class SnapshotPublisher {
  private last: Map<string, string> | undefined;
  /**
   * Keys last published while the projections were not level: their values may already reflect
   * events beyond the position they carry. Once the projections are level at a higher position,
   * those whose value did not change are published again, so that no snapshot is left claiming
   * less than it shows (a KPI's last events would otherwise never be reported as covered). Kept in
   * kpi_latest.provisional, so a restart or the next leader knows them too.
   */
  private provisional = new Set<string>();
  /** The day sums kept between runs: a run reads only the days the projector wrote since the last. */
  private readonly sets: IncrementalSnapshots;

  constructor(
    private readonly pool: Pool,
    private readonly producer: Producer,
    private readonly topic: string,
    private readonly timeZone: string,
    /** How often a run also reads every window from the tables and compares (0: every run). */
    verifyEveryMs = 60_000,
  ) {
    this.sets = new IncrementalSnapshots(pool, timeZone, verifyEveryMs);
  }

  /** Forgets what it loaded (a new leadership: another publisher may have published meanwhile). */
  reset(): void {
    this.last = undefined;
    this.sets.reset();
  }

  /**
   * One run; `leader` is the session holding the publisher's lock (a session of its own when not
   * given: tests, tools).
   */
  async publishChanges(leader?: PoolClient): Promise<PublishResult> {
    if (!leader) {
      const client = await this.pool.connect();
      try {
        return await this.publishChanges(client);
      } finally {
        client.release();
      }
    }
    const last = (this.last ??= await this.loadLatest(leader));
    const started = performance.now();
    const { snapshots, position, level } = await this.sets.compute();
    const sums = this.sets.run;
    const phases = { compute: performance.now() - started, kafka: 0, store: 0 };
    const changed = changesToPublish(snapshots.map(keyed), { last, provisional: this.provisional, level });
    if (changed.length === 0) return { computed: snapshots.length, published: 0, position, phases, sums };
    // Each snapshot's JSON made once: the Kafka record's value and, in one array, PostgreSQL's rows.
    const texts = changed.map((s) => JSON.stringify(s.snapshot));
    // Still the leader's session (it fails if PostgreSQL ended it): then Kafka, then PostgreSQL.
    await leader.query('SELECT 1');
    const sending = performance.now();
    const tx = await this.producer.transaction();
    try {
      await tx.send({
        topic: this.topic,
        messages: changed.map((s, i) => ({ key: s.key, value: texts[i] as string })),
      });
      await tx.commit();
    } catch (error) {
      await tx.abort().catch(() => undefined);
      throw error;
    }
    const storing = performance.now();
    phases.kafka = storing - sending;
    const rows = { keys: changed.map((s) => s.key), scopeKeys: changed.map((s) => scopeKey(s.snapshot.scope)), texts };
    await withTransaction(leader, (client) => storeSnapshotRows(client, rows, !level));
    phases.store = performance.now() - storing;
    for (const s of changed) last.set(s.key, s.print);
    this.provisional = provisionalAfter(
      this.provisional,
      changed.map((s) => s.key),
      level,
    );
    return { computed: snapshots.length, published: changed.length, position, phases, sums };
  }

  private async loadLatest(leader: PoolClient): Promise<Map<string, string>> {
    const { rows } = await leader.query<{ key: string; snapshot: KpiSnapshot; provisional: boolean }>(
      'SELECT key, snapshot, provisional FROM kpi_latest',
    );
    this.provisional = new Set(rows.filter((r) => r.provisional).map((r) => r.key));
    return new Map(rows.map((r) => [r.key, fingerprint(r.snapshot)]));
  }
}

/**
 * Writes snapshots to kpi_latest and the history (in the caller's transaction) and wakes the live
 * streams. A snapshot whose key already holds a higher position is dropped, from both: whoever
 * writes last (a publisher that lost its leadership), the latest never goes back, and no stream is
 * sent an older snapshot as news.
 */
export function storeSnapshots(client: PoolClient, snapshots: KpiSnapshot[], provisional: boolean): Promise<number> {
  return storeSnapshotRows(
    client,
    {
      keys: snapshots.map((s) => snapshotKey(s.kpi, s.window, s.scope)),
      scopeKeys: snapshots.map((s) => scopeKey(s.scope)),
      texts: snapshots.map((s) => JSON.stringify(s)),
    },
    provisional,
  );
}

/**
 * storeSnapshots of snapshots already in JSON (`texts`, with their keys and scope keys in the same
 * order): sent as one JSON array (no array literal to escape), the kpi, window, position and
 * computedAt read from each; arrays of different lengths fail (a NULL key), never pair wrongly.
 */
export async function storeSnapshotRows(
  client: PoolClient,
  rows: { keys: string[]; scopeKeys: string[]; texts: string[] },
  provisional: boolean,
): Promise<number> {
  const { rowCount } = await client.query(
    `WITH given AS (
       SELECT r.key, r.s->>'kpi' AS kpi, r.s->>'window' AS time_window, r.scope_key, r.s AS snapshot,
              (r.s->>'position')::bigint AS position, (r.s->>'computedAt')::timestamptz AS computed_at
       FROM ROWS FROM (unnest($1::text[]), unnest($2::text[]), jsonb_array_elements($3::jsonb)) AS r(key, scope_key, s)),
     latest AS (
       INSERT INTO kpi_latest (key, kpi, time_window, scope_key, snapshot, position, computed_at, provisional)
       SELECT g.*, $4::boolean FROM given g
       ON CONFLICT (key) DO UPDATE SET snapshot = EXCLUDED.snapshot, position = EXCLUDED.position,
                                       computed_at = EXCLUDED.computed_at, provisional = EXCLUDED.provisional
       WHERE kpi_latest.position <= EXCLUDED.position
       RETURNING key)
     INSERT INTO kpi_snapshots (key, kpi, time_window, scope_key, snapshot, position, computed_at)
     SELECT g.* FROM given g WHERE g.key IN (SELECT key FROM latest)`,
    [rows.keys, rows.scopeKeys, `[${rows.texts.join(',')}]`, provisional],
  );
  if (!provisional) await client.query('UPDATE kpi_latest SET provisional = false WHERE provisional');
  // Wakes the API's live streams when the transaction commits.
  await client.query(`SELECT pg_notify('caravan_snapshots', '')`);
  return rowCount ?? 0;
}

/**
 * Deletes the snapshot history older than `olderThanSeconds`, 10,000 rows per statement (in the
 * caller's session, each its own transaction), never a key's latest row, and records the highest
 * id pruned (a stream resuming below it is told its history was cut). Resolves how many it deleted.
 */
export async function pruneSnapshotHistory(
  client: PoolClient,
  olderThanSeconds: number,
  stop: () => boolean = () => false,
): Promise<number> {
  let pruned = 0;
  for (;;) {
    const { rows } = await client.query<{ n: number; up_to: string | null }>(
      `WITH gone AS (
         DELETE FROM kpi_snapshots WHERE id IN (
           SELECT s.id FROM kpi_snapshots s
           WHERE s.computed_at < now() - make_interval(secs => $1::double precision)
             AND EXISTS (SELECT 1 FROM kpi_snapshots n WHERE n.key = s.key AND n.id > s.id)
           ORDER BY s.computed_at LIMIT 10000)
         RETURNING id),
       mark AS (
         INSERT INTO kpi_history_pruned (singleton, up_to_id) SELECT true, max(id) FROM gone HAVING count(*) > 0
         ON CONFLICT (singleton) DO UPDATE SET up_to_id = greatest(kpi_history_pruned.up_to_id, EXCLUDED.up_to_id))
       SELECT count(*)::int AS n, max(id)::text AS up_to FROM gone`,
      [olderThanSeconds],
    );
    const n = rows[0]?.n ?? 0;
    pruned += n;
    if (n < 10_000 || stop()) return pruned;
  }
}
