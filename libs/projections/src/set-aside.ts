import type { Pool, PoolClient } from 'pg';
import { printable } from '@caravan/contract';
import { classifyPgError, describePgError, type FailureKind } from '@caravan/database';

export type SetAsideEvent = {
  projection: string;
  position: string;
  eventId: string;
  eventType: string;
  error: string;
  setAsideAt: string;
};

/**
 * Whether a failed apply is an event's to bear: a value PostgreSQL refused (classes 22, 23, 54)
 * or an error thrown by the projection's own code (a defect, or data it did not foresee) is;
 * a lost connection is transient, and any other database error (a missing table, a permission)
 * is a fault no event should be set aside for.
 */
export function classifyApplyError(error: unknown): FailureKind {
  const kind = classifyPgError(error);
  if (kind !== 'fault') return kind;
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? 'fault' : 'data';
}

/** Records the event at `position` as set aside for `checkpointName`, inside the caller's transaction. */
export async function setAside(
  client: PoolClient,
  checkpointName: string,
  position: bigint,
  error: unknown,
): Promise<SetAsideEvent> {
  const { rows } = await client.query<{ event_id: string; type: string; set_aside_at: Date }>(
    `INSERT INTO projection_set_aside (projection, position, event_id, event_type, error)
     SELECT $1, position, event_id, type, $3 FROM events WHERE position = $2
     ON CONFLICT (projection, position) DO UPDATE SET error = EXCLUDED.error, set_aside_at = now()
     RETURNING event_id, event_type AS type, set_aside_at`,
    [checkpointName, position.toString(), printable(describePgError(error)).slice(0, 2_000)],
  );
  const row = rows[0];
  if (!row) throw new Error(`no event at position ${position} to set aside`);
  return {
    projection: checkpointName,
    position: position.toString(),
    eventId: row.event_id,
    eventType: row.type,
    error: describePgError(error),
    setAsideAt: row.set_aside_at.toISOString(),
  };
}

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
