import type { PoolClient } from 'pg';
import { printable } from '@caravan/contract';
import { classifyPgError, describePgError, type FailureKind } from '@caravan/database';
import { type Position, readEventAt, type SetAsideEvent } from '@caravan/event-store';

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
  position: Position,
  error: unknown,
): Promise<SetAsideEvent> {
  const event = await readEventAt(client, position);
  if (!event) throw new Error(`no event at position ${position} to set aside`);
  const { rows } = await client.query<{ set_aside_at: Date }>(
    `INSERT INTO projection_set_aside (projection, position, event_id, event_type, error) VALUES ($1, $2, $3, $4, $5)
     ON CONFLICT (projection, position) DO UPDATE SET error = EXCLUDED.error, set_aside_at = now()
     RETURNING set_aside_at`,
    [checkpointName, position, event.eventId, event.type, printable(describePgError(error)).slice(0, 2_000)],
  );
  return {
    projection: checkpointName,
    position: String(position),
    eventId: event.eventId,
    eventType: event.type,
    error: describePgError(error),
    setAsideAt: (rows[0] as { set_aside_at: Date }).set_aside_at.toISOString(),
  };
}
