import type { PoolClient } from 'pg';
import { printable } from '@caravan/contract';
import { classifyPgError, describePgError, type FailureKind } from '@caravan/database';
import { EVENTS_TABLE, type Position, type SetAsideEvent } from '@caravan/event-store';

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

/**
 * Records the event at `position` as set aside for `checkpointName`, inside the caller's transaction:
 * one statement that takes the event's id and type from the store, never its payload (which may be
 * the very thing no reader can parse, e.g. a version without a schema).
 */
export async function setAside(
  client: PoolClient,
  checkpointName: string,
  position: Position,
  error: unknown,
): Promise<SetAsideEvent> {
  const { rows } = await client.query<{ event_id: string; event_type: string; set_aside_at: Date }>(
    `INSERT INTO projection_set_aside (projection, position, event_id, event_type, error)
     SELECT $1, e.position, e.event_id, e.type, $3 FROM ${EVENTS_TABLE} e WHERE e.position = $2::bigint
     ON CONFLICT (projection, position) DO UPDATE SET error = EXCLUDED.error, set_aside_at = now()
     RETURNING event_id, event_type, set_aside_at`,
    [checkpointName, position, printable(describePgError(error)).slice(0, 2_000)],
  );
  const row = rows[0];
  if (!row) throw new Error(`no event at position ${position} to set aside`);
  return {
    projection: checkpointName,
    position: String(position),
    eventId: row.event_id,
    eventType: row.event_type,
    error: describePgError(error),
    setAsideAt: row.set_aside_at.toISOString(),
  };
}
