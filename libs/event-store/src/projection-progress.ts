import type { Pool, PoolClient } from 'pg';
import { CHECKPOINTS_TABLE, EVENTS_TABLE } from './events';
import { type Position, positionOf } from './position';

/** How far a projection has got: its checkpoint, the events after it, and the age of the oldest of them. */
export type ProjectionProgress = {
  name: string;
  position: Position;
  /** Committed events beyond the checkpoint: 0 when caught up. */
  lagEvents: number;
  /** Seconds since the oldest of them was stored: 0 when caught up. */
  lagSeconds: number;
};

/**
 * How far each named projection has got, in the order given (one with no checkpoint yet is at
 * the start, every event its lag). The one answer to "how far behind is each projection?" for the
 * runner, metrics and /v1/pipeline alike (readiness asks only whether, and roughly how far: projectionBacklog).
 */
export async function projectionProgress(
  db: Pool | PoolClient,
  names: readonly string[],
): Promise<ProjectionProgress[]> {
  const { rows } = await db.query<{ name: string; position: string | null; events: string; seconds: string }>(
    `SELECT n.name, c.position::text AS position, count(e.position)::text AS events,
            coalesce(extract(epoch FROM now() - min(e.ingested_at)), 0)::text AS seconds
     FROM unnest($1::text[]) WITH ORDINALITY AS n(name, ord)
     LEFT JOIN ${CHECKPOINTS_TABLE} c ON c.name = n.name
     LEFT JOIN ${EVENTS_TABLE} e ON e.position > coalesce(c.position, 0)
     GROUP BY n.name, n.ord, c.position
     ORDER BY n.ord`,
    [[...names]],
  );
  return rows.map((r) => ({
    name: r.name,
    position: positionOf(r.position),
    lagEvents: Number(r.events),
    lagSeconds: Number(r.seconds),
  }));
}
