import type { PoolClient } from 'pg';
import { validateRecord } from '@caravan/contract';
import { appendEvents } from '@caravan/event-store';
import type { KafkaRecord } from '@caravan/kafka';
import type { ReplayOutcome } from '@caravan/requests';
import { candidatesOf, decideOutcomes, type Outcome } from './classify';
import type { RejectionRow } from './rejection-row';

export type ReplaySelection = { ids?: string[]; code?: string; limit: number };

type Row = Omit<RejectionRow, 'detail'>;
type Replayed = { row: Row; decided: Outcome; outcome: ReplayOutcome };

/**
 * One chunk of a replay inside the caller's transaction, set-based as ingest is: the next `limit`
 * unresolved rejections after `at.after` locked (waited for, never skipped), their acceptable
 * records appended in one call, and every outcome recorded, the resolved rejections marked and
 * their counters moved in one statement.
 */
export async function replayChunk(
  client: PoolClient,
  selection: ReplaySelection,
  at: { after: string; requestId: string | undefined },
  { limit, hasRate }: { limit: number; hasRate: (currency: string, atMs: number) => boolean },
): Promise<{ outcomes: ReplayOutcome[]; read: number; last: string | undefined }> {
  const { rows } = await client.query<Row>(
    `SELECT id::text, consumer_group, source_topic, source_partition, source_offset::text, record_key, record_value,
            code
     FROM rejections
     WHERE resolved_at IS NULL AND id > $4::bigint AND ($1::bigint[] IS NULL OR id = ANY($1))
       AND ($2::text IS NULL OR code = $2)
     ORDER BY rejections.id LIMIT $3 FOR UPDATE`,
    [selection.ids ?? null, selection.code ?? null, limit, at.after],
  );
  const results = rows.map((row) => ({
    record: recordOf(row),
    result: validateRecord(row.record_value, { nowMs: Date.now(), hasRate }),
  }));
  // In rejection order: of two records with one eventId the first is accepted, as one by one.
  const { inserted, storedHash } = await appendEvents(client, candidatesOf(results));
  const replayed = decideOutcomes(results, new Set(inserted.keys()), storedHash).map((decided, i): Replayed => ({
    row: rows[i] as Row,
    decided,
    outcome: outcomeOf((rows[i] as Row).id, decided),
  }));
  if (replayed.length > 0) await recordReplays(client, replayed, at.requestId);
  return { outcomes: replayed.map((r) => r.outcome), read: rows.length, last: rows[rows.length - 1]?.id };
}

function recordOf(row: Row): KafkaRecord {
  return {
    topic: row.source_topic,
    partition: row.source_partition,
    offset: row.source_offset,
    key: row.record_key,
    value: row.record_value,
    timestamp: '0',
  };
}

function outcomeOf(rejectionId: string, decided: Outcome): ReplayOutcome {
  return decided.kind === 'rejected'
    ? { rejectionId, outcome: 'rejected', code: decided.rejection.code, detail: decided.rejection.detail }
    : { rejectionId, outcome: decided.kind };
}

/**
 * Every outcome as a replay row; a rejection resolved (accepted or duplicate) marked so, and its
 * record moved from its topic's rejected counter to the one of its outcome: counted once still.
 */
async function recordReplays(client: PoolClient, replayed: Replayed[], requestId: string | undefined): Promise<void> {
  const resolved = replayed.filter((r) => r.outcome.outcome !== 'rejected');
  const taken = tally(resolved, (r) => [r.row.consumer_group, r.row.source_topic, r.row.source_partition, r.row.code]);
  const given = tally(resolved, (r) => [
    r.row.consumer_group,
    r.row.source_topic,
    r.row.source_partition,
    r.outcome.outcome,
  ]);
  await client.query(
    `WITH replays AS (
       INSERT INTO rejection_replays (rejection_id, outcome, code, detail, event_id, request_id)
       SELECT r.rejection_id, r.outcome, r.code, r.detail, r.event_id, $6::uuid
       FROM unnest($1::bigint[], $2::text[], $3::text[], $4::text[], $5::uuid[]) WITH ORDINALITY
            AS r(rejection_id, outcome, code, detail, event_id, ord)
       ORDER BY r.ord
     ), resolved AS (
       UPDATE rejections SET resolved_at = now(), resolution = s.outcome
       FROM unnest($7::bigint[], $8::text[]) AS s(id, outcome) WHERE rejections.id = s.id
     ), taken AS (
       UPDATE ingest_counters c SET count = c.count - t.n
       FROM unnest($9::text[], $10::text[], $11::int[], $12::text[], $13::bigint[])
            AS t(consumer_group, topic, partition, code, n)
       WHERE c.consumer_group = t.consumer_group AND c.topic = t.topic AND c.partition = t.partition
         AND c.outcome = 'rejected' AND c.code = t.code
     )
     INSERT INTO ingest_counters (consumer_group, topic, partition, outcome, code, count)
     SELECT g.consumer_group, g.topic, g.partition, g.outcome, '', g.n
     FROM unnest($14::text[], $15::text[], $16::int[], $17::text[], $18::bigint[])
          AS g(consumer_group, topic, partition, outcome, n)
     ON CONFLICT (consumer_group, topic, partition, outcome, code) DO UPDATE SET count = ingest_counters.count + EXCLUDED.count`,
    [
      replayed.map((r) => r.row.id),
      replayed.map((r) => r.outcome.outcome),
      replayed.map((r) => r.outcome.code ?? null),
      replayed.map((r) => r.outcome.detail ?? null),
      replayed.map((r) => (r.decided.kind === 'rejected' ? r.decided.eventId : r.decided.event.eventId)),
      requestId ?? null,
      resolved.map((r) => r.row.id),
      resolved.map((r) => r.outcome.outcome),
      ...columns(taken, 5),
      ...columns(given, 5),
    ],
  );
}

type Key = [string, string, number, string];

/** How many of `items` share each key, as [...key, n] tuples sorted by key (counters locked in one order). */
function tally<T>(items: T[], keyOf: (item: T) => Key): Array<[...Key, number]> {
  const counts = new Map<string, [...Key, number]>();
  for (const item of items) {
    const key = keyOf(item);
    const id = JSON.stringify(key);
    const entry = counts.get(id) ?? [...key, 0];
    entry[4] += 1;
    counts.set(id, entry);
  }
  return [...counts.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, entry]) => entry);
}

/** Tuples as `width` column arrays, for unnest. */
function columns(tuples: ReadonlyArray<readonly unknown[]>, width: number): unknown[][] {
  return Array.from({ length: width }, (_, i) => tuples.map((t) => t[i]));
}
