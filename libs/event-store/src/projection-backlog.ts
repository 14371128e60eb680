import type { Pool, PoolClient } from 'pg';
import { CHECKPOINTS_TABLE, EVENTS_TABLE } from './events';

/** Beyond this many events a backlog is "more than": counting further would cost what the answer is not worth. */
export const BACKLOG_CAP = 10_000;

export type ProjectionBacklog = {
  name: string;
  /** Committed events beyond the checkpoint, at most BACKLOG_CAP + 1. */
  events: number;
  /** More than BACKLOG_CAP: `events` is a floor. */
  capped: boolean;
};

/**
 * How many events each named projection has yet to apply, counted no further than BACKLOG_CAP
 * (an index-only scan of at most that many positions each): what readiness, asked every few
 * seconds by every pod, needs. The full figures (and the age of the oldest) are projectionProgress's.
 */
export async function projectionBacklog(db: Pool | PoolClient, names: readonly string[]): Promise<ProjectionBacklog[]> {
  const { rows } = await db.query<{ name: string; events: number }>(
    `SELECT n.name,
            (SELECT count(*) FROM (SELECT 1 FROM ${EVENTS_TABLE} e WHERE e.position > coalesce(c.position, 0) LIMIT $2)
               AS past)::int AS events
     FROM unnest($1::text[]) WITH ORDINALITY AS n(name, ord)
     LEFT JOIN ${CHECKPOINTS_TABLE} c ON c.name = n.name
     ORDER BY n.ord`,
    [[...names], BACKLOG_CAP + 1],
  );
  return rows.map((r) => ({ name: r.name, events: r.events, capped: r.events > BACKLOG_CAP }));
}
