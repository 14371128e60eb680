import type { Pool, PoolClient } from 'pg';
import { validateRecord, type ValidationContext, type ValidationResult } from '@caravan/contract';
import { withTransaction } from '@caravan/database';
import { candidatesOf, decideOutcomes, type Outcome } from './classify';
import { appendEvents } from '@caravan/event-store';
import type { KafkaRecord } from '@caravan/kafka';

export type BatchInput = {
  group: string;
  topic: string;
  partition: number;
  records: KafkaRecord[];
  /**
   * The offsets the batch accounts for: from `fromOffset` (default: its first record's) up to
   * `nextOffset` (default: after its last record). Offsets in between without a record (the
   * control records of transactions, aborted records, compacted ones) are covered too, so the
   * stored offset moves past them.
   */
  fromOffset?: string;
  nextOffset?: string;
  /** Accept a batch that starts after the stored offset (the records between were deleted by retention). */
  acceptGap?: boolean;
  /**
   * The partition's high watermark when the batch was fetched: a stored offset beyond it means the log went backwards.
   */
  logEndOffset?: string;
  /**
   * The records' validation, index by index, when done before the transaction (so that the next
   * batches are validated while PostgreSQL works on the previous ones); validated inside otherwise.
   */
  validated?: ValidationResult[];
};

export type BatchResult =
  | {
      kind: 'ingested';
      consumed: number;
      accepted: number;
      duplicate: number;
      rejected: number;
      skipped: number;
      nextOffset: bigint;
    }
  | { kind: 'nothing-new'; skipped: number; nextOffset: bigint }
  /** The batch starts after what PostgreSQL says comes next: the consumer must seek back. */
  | { kind: 'gap'; expectedOffset: bigint; firstOffset: bigint }
  /**
   * PostgreSQL's offset lies beyond the partition's end (the topic was deleted and re-created, or
   * the log truncated): nothing of it is ingested until ops accept the new log (`caravan offsets reset`).
   */
  | { kind: 'beyond-log-end'; storedOffset: bigint; logEndOffset: bigint };

/** Where a batch's coverage starts and ends (see BatchInput). */
export function coverageOf(input: BatchInput): { from: bigint; next: bigint } {
  const first = input.records[0];
  const last = input.records[input.records.length - 1];
  const from = input.fromOffset !== undefined ? BigInt(input.fromOffset) : first ? BigInt(first.offset) : 0n;
  const next = input.nextOffset !== undefined ? BigInt(input.nextOffset) : last ? BigInt(last.offset) + 1n : from;
  return { from, next };
}

/**
 * Ingests the batches of one or several partitions in ONE transaction (a group commit: one append,
 * one commit for all). For each partition: locks its stored offset, drops records already ingested
 * (redeliveries), appends the valid events set-based, records rejections (the DLQ outbox) and
 * counters, and moves the stored offset past the batch — exactly as if each had its own
 * transaction. Three statements whatever the number of partitions: lock the offsets, append,
 * record the outcomes. One attempt: what to do when it fails is `ingestResilient`'s business.
 */
export async function ingestBatches(
  pool: Pool,
  inputs: BatchInput[],
  context: Omit<ValidationContext, 'nowMs'>,
): Promise<BatchResult[]> {
  // A partition's next batch follows its previous one's result (the transport waits for it).
  if (new Set(inputs.map((i) => `${i.group}|${i.topic}|${i.partition}`)).size !== inputs.length)
    throw new Error('one batch per partition per transaction');
  return withTransaction(pool, (client) => ingestInTransaction(client, inputs, { ...context, nowMs: Date.now() }));
}

/** A partition's batch with records not ingested yet, validated and waiting for the append. */
type PlannedBatch = {
  input: BatchInput;
  records: KafkaRecord[];
  skipped: number;
  results: Array<{ record: KafkaRecord; result: ValidationResult }>;
  nextOffset: bigint;
};
type Partition = { group: string; topic: string; partition: number };

/**
 * What one partition's batch comes to against the offset PostgreSQL holds for it (`from`, -1 when
 * none yet): refused (the log went backwards, or a gap), nothing new, or the records not ingested
 * yet with their validation. Decided alone, as if the batch had its own transaction. Pure.
 */
export function planBatch(input: BatchInput, from: bigint, context: ValidationContext): BatchResult | PlannedBatch {
  const coverage = coverageOf(input);
  if (from >= 0n && input.logEndOffset !== undefined && from > BigInt(input.logEndOffset)) {
    return { kind: 'beyond-log-end', storedOffset: from, logEndOffset: BigInt(input.logEndOffset) };
  }
  if (from >= 0n && coverage.from > from && !input.acceptGap)
    return { kind: 'gap', expectedOffset: from, firstOffset: coverage.from };
  const keep = input.records.map((r) => from < 0n || BigInt(r.offset) >= from);
  const fresh = input.records.filter((_, k) => keep[k]);
  const skipped = input.records.length - fresh.length;
  // Past the batch's last offset, which may lie beyond its last record (a transaction's marker).
  const nextOffset = coverage.next > from ? coverage.next : from;
  // Nothing new, unless the batch covers offsets past the stored one (a marker behind redelivered records).
  const coversNothing = input.records.length === 0 && input.nextOffset === undefined;
  if (fresh.length === 0 && (nextOffset === from || coversNothing))
    return { kind: 'nothing-new', skipped, nextOffset: from };
  const results = input.records.flatMap((record, k) =>
    keep[k] ? [{ record, result: input.validated?.[k] ?? validateRecord(record.value, context) }] : [],
  );
  return { input, records: fresh, skipped, results, nextOffset };
}

async function ingestInTransaction(
  client: PoolClient,
  inputs: BatchInput[],
  context: ValidationContext,
): Promise<BatchResult[]> {
  const stored = await lockOffsets(client, inputs);
  const plans = inputs.map((input, i) => planBatch(input, stored[i] as bigint, context));

  const batches = plans.filter((p): p is PlannedBatch => 'results' in p);
  if (batches.length === 0) return plans as BatchResult[];
  // One append for every partition; the outcomes are decided over all of them in order, so an
  // eventId sent to two partitions is accepted once.
  const all = batches.flatMap((b) => b.results);
  const { inserted, storedHash } = await appendEvents(client, candidatesOf(all));
  const outcomes = decideOutcomes(all, new Set(inserted.keys()), storedHash);
  const recorded: Array<{ where: Partition; outcomes: Outcome[]; nextOffset: bigint }> = [];
  let at = 0;
  const results = plans.map((plan): BatchResult => {
    if (!('results' in plan)) return plan;
    const planOutcomes = outcomes.slice(at, at + plan.results.length);
    at += plan.results.length;
    const { nextOffset } = plan;
    const { group, topic, partition } = plan.input;
    recorded.push({ where: { group, topic, partition }, outcomes: planOutcomes, nextOffset });
    const count = (kind: Outcome['kind']) => planOutcomes.filter((o) => o.kind === kind).length;
    return {
      kind: 'ingested',
      consumed: plan.records.length,
      accepted: count('accepted'),
      duplicate: count('duplicate'),
      rejected: count('rejected'),
      skipped: plan.skipped,
      nextOffset,
    };
  });
  await recordOutcomes(client, recorded);
  return results;
}

/**
 * Takes the partitions' offset rows (created on first use), in (topic, partition) order so that two
 * ingestors never deadlock, in one statement; returns each input's next offset to ingest, -1 if none yet.
 */
async function lockOffsets(client: PoolClient, inputs: BatchInput[]): Promise<bigint[]> {
  const { rows } = await client.query<{
    consumer_group: string;
    topic: string;
    partition: number;
    next_offset: string;
  }>(
    `INSERT INTO ingest_offsets (consumer_group, topic, partition, next_offset)
     SELECT k.consumer_group, k.topic, k.partition, -1
     FROM unnest($1::text[], $2::text[], $3::int[]) AS k(consumer_group, topic, partition)
     ORDER BY k.topic, k.partition
     ON CONFLICT (consumer_group, topic, partition) DO UPDATE SET next_offset = ingest_offsets.next_offset
     RETURNING consumer_group, topic, partition, next_offset`,
    [inputs.map((i) => i.group), inputs.map((i) => i.topic), inputs.map((i) => i.partition)],
  );
  const byKey = new Map(rows.map((r) => [`${r.consumer_group}|${r.topic}|${r.partition}`, BigInt(r.next_offset)]));
  return inputs.map((i) => byKey.get(`${i.group}|${i.topic}|${i.partition}`) ?? -1n);
}

/** Every partition's rejections, counters and new offset, in one statement. */
async function recordOutcomes(
  client: PoolClient,
  batches: Array<{ where: Partition; outcomes: Outcome[]; nextOffset: bigint }>,
): Promise<void> {
  const rejected = batches.flatMap(({ where, outcomes }) =>
    outcomes
      .filter((o): o is Extract<Outcome, { kind: 'rejected' }> => o.kind === 'rejected')
      .map((o) => ({ where, o })),
  );
  const counters = batches.flatMap(({ where, outcomes }) => {
    const counts = new Map<string, number>([['consumed|', outcomes.length]]);
    for (const o of outcomes) {
      const key = o.kind === 'rejected' ? `rejected|${o.rejection.code}` : `${o.kind}|`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts.entries()]
      .filter(([, n]) => n > 0)
      .map(([key, n]) => {
        const [outcome, code] = key.split('|') as [string, string];
        return { where, outcome, code, n };
      });
  });
  await client.query(
    `WITH rejected AS (
       INSERT INTO rejections (consumer_group, source_topic, source_partition, source_offset, record_key, record_value,
                               record_timestamp, code, detail, event_id)
       SELECT r.consumer_group, r.topic, r.partition, r.source_offset, r.record_key, r.record_value,
              to_timestamp(r.ts / 1000.0), r.code, r.detail, r.event_id
       FROM unnest($1::text[], $2::text[], $3::int[], $4::bigint[], $5::bytea[], $6::bytea[], $7::bigint[], $8::text[],
                   $9::text[], $10::uuid[])
            AS r(consumer_group, topic, partition, source_offset, record_key, record_value, ts, code, detail, event_id)
       ON CONFLICT (consumer_group, source_topic, source_partition, source_offset) DO NOTHING
     ), counted AS (
       INSERT INTO ingest_counters (consumer_group, topic, partition, outcome, code, count)
       SELECT c.consumer_group, c.topic, c.partition, c.outcome, c.code, c.n
       FROM unnest($11::text[], $12::text[], $13::int[], $14::text[], $15::text[], $16::bigint[])
            AS c(consumer_group, topic, partition, outcome, code, n)
       ON CONFLICT (consumer_group, topic, partition, outcome, code)
       DO UPDATE SET count = ingest_counters.count + EXCLUDED.count
     )
     UPDATE ingest_offsets o SET next_offset = n.next_offset, updated_at = now()
     FROM unnest($17::text[], $18::text[], $19::int[], $20::bigint[])
          AS n(consumer_group, topic, partition, next_offset)
     WHERE o.consumer_group = n.consumer_group AND o.topic = n.topic AND o.partition = n.partition`,
    [
      rejected.map((r) => r.where.group),
      rejected.map((r) => r.where.topic),
      rejected.map((r) => r.where.partition),
      rejected.map((r) => r.o.record.offset),
      rejected.map((r) => r.o.record.key),
      rejected.map((r) => r.o.record.value),
      rejected.map((r) => storableTimestamp(r.o.record.timestamp)),
      rejected.map((r) => r.o.rejection.code),
      rejected.map((r) => r.o.rejection.detail),
      rejected.map((r) => r.o.eventId),
      counters.map((c) => c.where.group),
      counters.map((c) => c.where.topic),
      counters.map((c) => c.where.partition),
      counters.map((c) => c.outcome),
      counters.map((c) => c.code),
      counters.map((c) => c.n),
      batches.map((b) => b.where.group),
      batches.map((b) => b.where.topic),
      batches.map((b) => b.where.partition),
      batches.map((b) => b.nextOffset.toString()),
    ],
  );
}

/** The latest instant PostgreSQL's timestamptz shows as a four-digit year: 9999-12-31T23:59:59.999Z. */
const MAX_TIMESTAMP_MS = 253_402_300_799_999n;

/**
 * A record's Kafka timestamp as a rejection can always store it: none for the -1 of "no
 * timestamp" (or any negative), clamped to the year 9999 beyond (a producer may write anything).
 */
export function storableTimestamp(timestamp: string): string | null {
  let ms: bigint;
  try {
    ms = BigInt(timestamp);
  } catch {
    return null;
  }
  if (ms < 0n) return null;
  return (ms > MAX_TIMESTAMP_MS ? MAX_TIMESTAMP_MS : ms).toString();
}
