import type { Pool, PoolClient } from 'pg';
import { withTransaction } from '@caravan/database';
import type { ReplayOutcome } from '@caravan/requests';
import { replayChunk, type ReplaySelection } from './replay-chunk';

export type { ReplaySelection } from './replay-chunk';

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
