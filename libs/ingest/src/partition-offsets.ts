import type { Admin } from 'kafkajs';
import type { Pool } from 'pg';
import { withTransaction } from '@caravan/database';

/**
 * One partition as ops need to see it: where PostgreSQL says ingest resumes (`stored`, null before
 * the first batch) against the log Kafka holds now ([logStart, logEnd)).
 * - `beyond-log-end`: stored > logEnd, the log went backwards (topic re-created, log truncated):
 *   the ingestor pauses the partition until `caravan offsets reset` accepts the new log;
 * - `behind-log-start`: retention deleted offsets before they were ingested (they are skipped,
 *   logged and counted when the ingestor gets there);
 * - `ok`, or `not-started`.
 */
export type PartitionOffsetState = {
  topic: string;
  partition: number;
  stored: bigint | null;
  logStart: bigint;
  logEnd: bigint;
  state: 'ok' | 'not-started' | 'beyond-log-end' | 'behind-log-start';
};

export async function partitionOffsets(
  pool: Pool,
  admin: Admin,
  group: string,
  topics: string[],
): Promise<PartitionOffsetState[]> {
  const { rows } = await pool.query<{ topic: string; partition: number; next_offset: string }>(
    'SELECT topic, partition, next_offset::text FROM ingest_offsets ' +
      'WHERE consumer_group = $1 AND topic = ANY($2::text[])',
    [group, topics],
  );
  const stored = new Map(rows.map((r) => [`${r.topic}:${r.partition}`, BigInt(r.next_offset)]));
  const states: PartitionOffsetState[] = [];
  for (const topic of topics) {
    // A topic that does not exist (yet, or any more) has no partition to show.
    const offsets = await admin.fetchTopicOffsets(topic).catch(() => []);
    for (const p of offsets.sort((a, b) => a.partition - b.partition)) {
      const s = stored.get(`${topic}:${p.partition}`);
      const at = s === undefined || s < 0n ? null : s;
      const logStart = BigInt(p.low);
      const logEnd = BigInt(p.high);
      const state =
        at === null ? 'not-started' : at > logEnd ? 'beyond-log-end' : at < logStart ? 'behind-log-start' : 'ok';
      states.push({ topic, partition: p.partition, stored: at, logStart, logEnd, state });
    }
  }
  return states;
}

export type OffsetReset = {
  group: string;
  topic: string;
  partition: number;
  to: bigint;
  logStart: bigint;
  logEnd: bigint;
  reason: string;
};

/**
 * Moves a partition's stored offset (and records who moved it from where, to where, against which
 * log): the only way ops accept a log that went backwards. The offset row is locked, so an
 * ingestor in the middle of a batch of that partition finishes first. A running ingestor that
 * paused the partition resumes it there within seconds.
 */
export async function resetStoredOffset(pool: Pool, reset: OffsetReset): Promise<{ from: bigint | null; to: bigint }> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query<{ next_offset: string }>(
      'SELECT next_offset::text FROM ingest_offsets ' +
        'WHERE consumer_group = $1 AND topic = $2 AND partition = $3 FOR UPDATE',
      [reset.group, reset.topic, reset.partition],
    );
    const before = rows[0] ? BigInt(rows[0].next_offset) : null;
    await client.query(
      `INSERT INTO ingest_offsets (consumer_group, topic, partition, next_offset) VALUES ($1, $2, $3, $4)
       ON CONFLICT (consumer_group, topic, partition)
       DO UPDATE SET next_offset = EXCLUDED.next_offset, updated_at = now()`,
      [reset.group, reset.topic, reset.partition, reset.to.toString()],
    );
    await client.query(
      `INSERT INTO ingest_offset_resets (consumer_group, topic, partition, from_offset, to_offset, log_start, log_end,
         reason)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8)`,
      [
        reset.group,
        reset.topic,
        reset.partition,
        before?.toString() ?? null,
        reset.to.toString(),
        reset.logStart.toString(),
        reset.logEnd.toString(),
        reset.reason,
      ],
    );
    return { from: before !== null && before >= 0n ? before : null, to: reset.to };
  });
}
