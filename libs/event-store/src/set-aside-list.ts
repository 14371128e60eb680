import type { Pool, PoolClient } from 'pg';

/**
 * An event a reader of the store (a projection, a rebuild's shadow: `projection` is its
 * checkpoint's name) could not apply and skipped; written by the projections, listed for ops.
 */
export type SetAsideEvent = {
  projection: string;
  /** As text, as the admin API and the CLI show it. */
  position: string;
  eventId: string;
  eventType: string;
  error: string;
  setAsideAt: string;
};

/** The events set aside, newest first; for one projection when given. */
export async function listSetAside(
  db: Pool | PoolClient,
  options: { projection?: string; limit: number; offset?: number },
): Promise<{ total: number; items: SetAsideEvent[] }> {
  const { rows } = await db.query<{
    projection: string;
    position: string;
    event_id: string;
    event_type: string;
    error: string;
    set_aside_at: Date;
    total: string;
  }>(
    `SELECT projection, position::text, event_id, event_type, error, set_aside_at, count(*) OVER ()::text AS total
     FROM projection_set_aside WHERE $1::text IS NULL OR projection = $1
     ORDER BY projection_set_aside.set_aside_at DESC, projection_set_aside.position DESC LIMIT $2 OFFSET $3`,
    [options.projection ?? null, options.limit, options.offset ?? 0],
  );
  return {
    total: Number(rows[0]?.total ?? 0),
    items: rows.map((r) => ({
      projection: r.projection,
      position: r.position,
      eventId: r.event_id,
      eventType: r.event_type,
      error: r.error,
      setAsideAt: r.set_aside_at.toISOString(),
    })),
  };
}
