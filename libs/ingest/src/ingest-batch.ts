import type { Pool, PoolClient } from 'pg';
import { validateRecord, type ValidationContext, type ValidationResult } from '@caravan/contract';
import { withTransaction } from '@caravan/database';
import { candidatesOf, decideOutcomes, type Outcome } from './classify';
import { appendEvents } from './event-store';
import type { KafkaRecord } from './kafka-record';

export type BatchInput = {
  group: string;
  topic: string;
  partition: number;
  records: KafkaRecord[];
  /** Accept a batch that starts after the stored offset (the records between were deleted by retention). */
  acceptGap?: boolean;
  /**
   * The records' validation, index by index, when done before the transaction (so that the next
   * batches are validated while PostgreSQL works on the previous ones); validated inside otherwise.
   */
  validated?: ValidationResult[];
};

export type BatchResult =
  | { kind: 'ingested'; consumed: number; accepted: number; duplicate: number; rejected: number; skipped: number; nextOffset: bigint }
  | { kind: 'nothing-new'; skipped: number; nextOffset: bigint }
  /** The batch starts after what PostgreSQL says comes next: the consumer must seek back. */
  | { kind: 'gap'; expectedOffset: bigint; firstOffset: bigint };

const RETRIABLE_SQLSTATES = new Set(['40001', '40P01']);
const MAX_ATTEMPTS = 5;

/**
 * Ingests one partition's batch in ONE transaction: locks the partition's stored offset, drops
 * records already ingested (redeliveries), appends the valid events set-based, records rejections
 * (the DLQ outbox) and counters, and moves the stored offset past the batch.
 */
export async function ingestBatch(pool: Pool, input: BatchInput, context: Omit<ValidationContext, 'nowMs'>): Promise<BatchResult> {
  return (await ingestBatches(pool, [input], context))[0] as BatchResult;
}

/**
 * Ingests the batches of several partitions in ONE transaction (a group commit: one append, one
 * commit for all), each with its own offset, counters and result, exactly as if each had its own
 * transaction. Offset rows are locked in (topic, partition) order, so two ingestors never deadlock.
 */
export async function ingestBatches(pool: Pool, inputs: BatchInput[], context: Omit<ValidationContext, 'nowMs'>): Promise<BatchResult[]> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await withTransaction(pool, (client) => ingestInTransaction(client, inputs, { ...context, nowMs: Date.now() }));
    } catch (error) {
      // Two batches appending the same eventIds in other orders can deadlock: PostgreSQL aborts one, we retry it.
      const code = (error as { code?: string }).code;
      if (attempt >= MAX_ATTEMPTS || !code || !RETRIABLE_SQLSTATES.has(code)) throw error;
    }
  }
}

type Fresh = { input: BatchInput; records: KafkaRecord[]; skipped: number; results: Array<{ record: KafkaRecord; result: ValidationResult }> };

async function ingestInTransaction(client: PoolClient, inputs: BatchInput[], context: ValidationContext): Promise<BatchResult[]> {
  const answers: Array<BatchResult | Fresh> = new Array(inputs.length);
  const order = inputs.map((input, i) => ({ input, i })).sort((x, y) => (x.input.topic < y.input.topic ? -1 : x.input.topic > y.input.topic ? 1 : x.input.partition - y.input.partition));
  for (const { input, i } of order) {
    const stored = await lockOffset(client, input.group, input.topic, input.partition);
    const keep = input.records.map((r) => stored < 0n || BigInt(r.offset) >= stored);
    const fresh = input.records.filter((_, k) => keep[k]);
    const skipped = input.records.length - fresh.length;
    const first = fresh[0];
    if (!first) answers[i] = { kind: 'nothing-new', skipped, nextOffset: stored };
    else if (stored >= 0n && BigInt(first.offset) > stored && !input.acceptGap) answers[i] = { kind: 'gap', expectedOffset: stored, firstOffset: BigInt(first.offset) };
    else {
      const results = input.records.flatMap((record, k) => (keep[k] ? [{ record, result: input.validated?.[k] ?? validateRecord(record.value, context) }] : []));
      answers[i] = { input, records: fresh, skipped, results };
    }
  }

  const batches = answers.filter((a): a is Fresh => 'results' in a);
  if (batches.length === 0) return answers as BatchResult[];
  // One append for every partition; the outcomes are decided over all of them in order, so an
  // eventId sent to two partitions is accepted once.
  const all = batches.flatMap((b) => b.results);
  const { inserted, storedHash } = await appendEvents(client, candidatesOf(all));
  const outcomes = decideOutcomes(all, new Set(inserted.keys()), storedHash);
  let at = 0;
  for (let i = 0; i < answers.length; i++) {
    const fresh = answers[i];
    if (!fresh || !('results' in fresh)) continue;
    const mine = outcomes.slice(at, at + fresh.results.length);
    at += fresh.results.length;
    const last = fresh.records[fresh.records.length - 1] as KafkaRecord;
    const nextOffset = BigInt(last.offset) + 1n;
    const { group, topic, partition } = fresh.input;
    await recordOutcomes(client, { group, topic, partition }, mine, nextOffset);
    const count = (kind: Outcome['kind']) => mine.filter((o) => o.kind === kind).length;
    answers[i] = {
      kind: 'ingested',
      consumed: fresh.records.length,
      accepted: count('accepted'),
      duplicate: count('duplicate'),
      rejected: count('rejected'),
      skipped: fresh.skipped,
      nextOffset,
    };
  }
  return answers as BatchResult[];
}

/** Takes the partition's row lock (created on first use) and returns the next offset to ingest, -1 if none yet. */
async function lockOffset(client: PoolClient, group: string, topic: string, partition: number): Promise<bigint> {
  const { rows } = await client.query<{ next_offset: string }>(
    `INSERT INTO ingest_offsets (consumer_group, topic, partition, next_offset) VALUES ($1, $2, $3, -1)
     ON CONFLICT (consumer_group, topic, partition) DO UPDATE SET next_offset = ingest_offsets.next_offset
     RETURNING next_offset`,
    [group, topic, partition],
  );
  return BigInt(rows[0]?.next_offset ?? '-1');
}

/** Rejections, counters and the new offset, in one statement. */
async function recordOutcomes(
  client: PoolClient,
  where: { group: string; topic: string; partition: number },
  outcomes: Outcome[],
  nextOffset: bigint,
): Promise<void> {
  const rejected = outcomes.filter((o): o is Extract<Outcome, { kind: 'rejected' }> => o.kind === 'rejected');
  const counts = new Map<string, number>([['consumed|', outcomes.length]]);
  for (const o of outcomes) {
    const key = o.kind === 'rejected' ? `rejected|${o.rejection.code}` : `${o.kind}|`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const counterRows = [...counts.entries()].map(([key, n]) => [...key.split('|'), n] as [string, string, number]);
  await client.query(
    `WITH rejected AS (
       INSERT INTO rejections (consumer_group, source_topic, source_partition, source_offset, record_key, record_value, record_timestamp, code, detail, event_id)
       SELECT $1, $2, $3, r.source_offset, r.record_key, r.record_value, to_timestamp(r.ts / 1000.0), r.code, r.detail, r.event_id
       FROM unnest($4::bigint[], $5::bytea[], $6::bytea[], $7::bigint[], $8::text[], $9::text[], $10::uuid[])
            AS r(source_offset, record_key, record_value, ts, code, detail, event_id)
       ON CONFLICT (consumer_group, source_topic, source_partition, source_offset) DO NOTHING
     ), counted AS (
       INSERT INTO ingest_counters (consumer_group, topic, partition, outcome, code, count)
       SELECT $1, $2, $3, c.outcome, c.code, c.n FROM unnest($11::text[], $12::text[], $13::bigint[]) AS c(outcome, code, n)
       ON CONFLICT (consumer_group, topic, partition, outcome, code) DO UPDATE SET count = ingest_counters.count + EXCLUDED.count
     )
     UPDATE ingest_offsets SET next_offset = $14, updated_at = now()
     WHERE consumer_group = $1 AND topic = $2 AND partition = $3`,
    [
      where.group,
      where.topic,
      where.partition,
      rejected.map((o) => o.record.offset),
      rejected.map((o) => o.record.key),
      rejected.map((o) => o.record.value),
      rejected.map((o) => o.record.timestamp),
      rejected.map((o) => o.rejection.code),
      rejected.map((o) => o.rejection.detail),
      rejected.map((o) => o.eventId),
      counterRows.map((r) => r[0]),
      counterRows.map((r) => r[1]),
      counterRows.map((r) => r[2]),
      nextOffset.toString(),
    ],
  );
}
