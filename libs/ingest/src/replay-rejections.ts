import type { Pool, PoolClient } from 'pg';
import { validateRecord } from '@caravan/contract';
import { withTransaction } from '@caravan/database';
import { candidatesOf, decideOutcomes } from './classify';
import { appendEvents } from '@caravan/event-store';
import type { KafkaRecord } from '@caravan/kafka';
import type { ReplayOutcome } from '@caravan/requests';

export type ReplaySelection = { ids?: string[]; code?: string; limit: number };

type Row = {
  id: string;
  consumer_group: string;
  source_topic: string;
  source_partition: number;
  source_offset: string;
  record_key: Buffer | null;
  record_value: Buffer | null;
  code: string;
};

/** Rejections replayed per transaction: the append lock is held for one chunk, never for a whole replay. */
const CHUNK = 100;
/**
 * How long a chunk waits for a rejection another transaction holds (the DLQ relay marking it
 * published, say): past it the chunk rolls back with lock_not_available, a transient error, and
 * the replay resumes from its saved cursor; skipping the row would leave it with no outcome.
 */
const ROW_LOCK_TIMEOUT = '5s';

/** Where a replay stands: the last rejection id it went through and how many it replayed. */
export type ReplayProgress = { after: string; count: number };
export type ReplayOptions = {
  /** The replay request this runs for: its outcomes are recorded under it and its result read back from them. */
  requestId?: string;
  /** Goes on from here (a replay taken over from an executor that died, or interrupted by a lock wait). */
  resume?: ReplayProgress;
  /** Inside each chunk's transaction, after it: whatever is written here commits with the chunk, or not at all. */
  onChunk?: (client: PoolClient, progress: ReplayProgress) => Promise<void>;
};

/**
 * Re-validates unresolved rejections against the current schemas, a chunk per transaction: an
 * acceptable record is appended (or found a duplicate), and its topic's counters move from
 * rejected to accepted or duplicate in the same transaction, so the record stays counted once and
 * the counts still add up (a replay that fails halfway leaves the chunks before it done and the
 * rest unresolved); one rejected again only gets a replay row. Each outcome is recorded; a
 * request's outcomes (those of its earlier claims too) are read back from those rows.
 */
export async function replayRejections(
  pool: Pool,
  selection: ReplaySelection,
  hasRate: (currency: string, atMs: number) => boolean,
  options: ReplayOptions = {},
): Promise<ReplayOutcome[]> {
  const outcomes: ReplayOutcome[] = [];
  let { after, count } = options.resume ?? { after: '0', count: 0 };
  while (count < selection.limit) {
    const chunk = await withTransaction(pool, async (client) => {
      await client.query(`SET LOCAL lock_timeout = '${ROW_LOCK_TIMEOUT}'`);
      const done = await replayChunk(
        client,
        selection,
        { after, requestId: options.requestId },
        {
          limit: Math.min(CHUNK, selection.limit - count),
          hasRate,
        },
      );
      if (done.last !== undefined)
        await options.onChunk?.(client, { after: done.last, count: count + done.outcomes.length });
      return done;
    });
    outcomes.push(...chunk.outcomes);
    count += chunk.outcomes.length;
    if (chunk.read === 0 || chunk.last === undefined) break;
    after = chunk.last;
  }
  return options.requestId === undefined ? outcomes : replayOutcomes(pool, options.requestId);
}

/** The outcomes recorded for a replay request so far (all of them once it is done), in the order of its rejections. */
export async function replayOutcomes(db: Pool | PoolClient, requestId: string): Promise<ReplayOutcome[]> {
  const { rows } = await db.query<{
    rejection_id: string;
    outcome: ReplayOutcome['outcome'];
    code: string | null;
    detail: string | null;
  }>(
    `SELECT rejection_id::text, outcome, code, detail FROM rejection_replays WHERE request_id = $1
     ORDER BY rejection_replays.rejection_id`,
    [requestId],
  );
  return rows.map((r) => ({
    rejectionId: r.rejection_id,
    outcome: r.outcome,
    ...(r.code === null ? {} : { code: r.code }),
    ...(r.detail === null ? {} : { detail: r.detail }),
  }));
}

async function replayChunk(
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
  const outcomes: ReplayOutcome[] = [];
  for (const row of rows) {
    const record: KafkaRecord = {
      topic: row.source_topic,
      partition: row.source_partition,
      offset: row.source_offset,
      key: row.record_key,
      value: row.record_value,
      timestamp: '0',
    };
    const results = [{ record, result: validateRecord(row.record_value, { nowMs: Date.now(), hasRate }) }];
    const { inserted, storedHash } = await appendEvents(client, candidatesOf(results));
    const [decided] = decideOutcomes(results, new Set(inserted.keys()), storedHash);
    if (!decided) continue;
    const outcome: ReplayOutcome =
      decided.kind === 'rejected'
        ? { rejectionId: row.id, outcome: 'rejected', code: decided.rejection.code, detail: decided.rejection.detail }
        : { rejectionId: row.id, outcome: decided.kind };
    await client.query(
      `INSERT INTO rejection_replays (rejection_id, outcome, code, detail, event_id, request_id)
       VALUES ($1, $2, $3, $4, $5, $6)`,
      [
        row.id,
        outcome.outcome,
        outcome.code ?? null,
        outcome.detail ?? null,
        decided.kind === 'rejected' ? decided.eventId : decided.event.eventId,
        at.requestId ?? null,
      ],
    );
    if (outcome.outcome === 'rejected') {
      outcomes.push(outcome);
      continue;
    }
    await client.query(`UPDATE rejections SET resolved_at = now(), resolution = $2 WHERE id = $1`, [
      row.id,
      outcome.outcome,
    ]);
    await client.query(
      `UPDATE ingest_counters SET count = count - 1
       WHERE consumer_group = $1 AND topic = $2 AND partition = $3 AND outcome = 'rejected' AND code = $4`,
      [row.consumer_group, row.source_topic, row.source_partition, row.code],
    );
    await client.query(
      `INSERT INTO ingest_counters (consumer_group, topic, partition, outcome, code, count)
       VALUES ($1, $2, $3, $4, '', 1)
       ON CONFLICT (consumer_group, topic, partition, outcome, code) DO UPDATE SET count = ingest_counters.count + 1`,
      [row.consumer_group, row.source_topic, row.source_partition, outcome.outcome],
    );
    outcomes.push(outcome);
  }
  return { outcomes, read: rows.length, last: rows[rows.length - 1]?.id };
}
