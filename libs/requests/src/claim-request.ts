import type { Client, Pool, PoolClient } from 'pg';
import {
  type AdminRequest,
  type RequestKind,
  requestLockName,
  requestOf,
  type RequestRow,
  REQUESTS_TABLE,
} from './request';

type Db = Pool | PoolClient | Client;

/** A newer claim of the request (a takeover) exists: this executor's writes to it must not commit. */
export class RequestSuperseded extends Error {
  constructor(id: string, attempt: number) {
    super(`request ${id}: claim ${attempt} was taken over by another executor`);
    this.name = 'RequestSuperseded';
  }
}

/**
 * Claims the oldest open request of `kind` on `session`, the executor's own connection, which
 * keeps the request's advisory lock until `release`. Open: requested, or running under a lock
 * nobody holds (its executor died, its session with it): taken over. Rows another executor is
 * claiming at this moment are skipped (SKIP LOCKED), and a running request's lock is held by the
 * executor running it, so no two executors ever run one request at once.
 */
export async function claimRequest(session: Client, kind: RequestKind, by: string): Promise<AdminRequest | undefined> {
  await session.query('BEGIN');
  try {
    const { rows } = await session.query<{ id: string }>(
      `SELECT id FROM ${REQUESTS_TABLE} WHERE kind = $1 AND status IN ('requested', 'running')
       ORDER BY requested_at, id LIMIT 50 FOR UPDATE SKIP LOCKED`,
      [kind],
    );
    for (const { id } of rows) {
      const locked = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
        requestLockName(id),
      ]);
      if (!locked.rows[0]?.locked) continue;
      const claimed = await session.query<RequestRow>(
        `UPDATE ${REQUESTS_TABLE} SET status = 'running', claimed_by = $2, claimed_at = now(), attempt = attempt + 1,
                updated_at = now(), error = NULL
         WHERE id = $1 RETURNING *`,
        [id, by],
      );
      await session.query('COMMIT');
      return requestOf(claimed.rows[0] as RequestRow);
    }
    await session.query('COMMIT');
    return undefined;
  } catch (error) {
    await session.query('ROLLBACK').catch(() => undefined);
    throw error;
  }
}

/** Lets go of a request's lock once it is done or failed (or abandoned at shutdown: then taken over). */
export async function releaseRequest(session: Client, id: string): Promise<void> {
  await session.query('SELECT pg_advisory_unlock(hashtext($1))', [requestLockName(id)]);
}

/**
 * Writes progress (and the result so far) for claim `attempt` of the request, inside the caller's
 * transaction when `db` is a client in one; throws RequestSuperseded when a later claim exists.
 */
export async function saveProgress(
  db: Db,
  request: Pick<AdminRequest, 'id' | 'attempt'>,
  progress: number,
  result?: unknown,
): Promise<void> {
  const updated = await db.query(
    `UPDATE ${REQUESTS_TABLE} SET progress = $3, result = COALESCE($4::jsonb, result), updated_at = now()
     WHERE id = $1 AND attempt = $2 AND status = 'running'`,
    [request.id, request.attempt, progress, result === undefined ? null : JSON.stringify(result)],
  );
  if (updated.rowCount !== 1) throw new RequestSuperseded(request.id, request.attempt);
}

/** Records the end of claim `attempt`: done with its result, or failed with the reason. */
export async function finishRequest(
  db: Db,
  request: Pick<AdminRequest, 'id' | 'attempt'>,
  end: { status: 'done'; result: unknown; progress: number } | { status: 'failed'; error: string },
): Promise<void> {
  const updated = await db.query(
    `UPDATE ${REQUESTS_TABLE} SET status = $3, result = COALESCE($4::jsonb, result), error = $5,
            progress = COALESCE($6, progress), finished_at = now(), updated_at = now()
     WHERE id = $1 AND attempt = $2 AND status = 'running'`,
    [
      request.id,
      request.attempt,
      end.status,
      end.status === 'done' ? JSON.stringify(end.result) : null,
      end.status === 'failed' ? end.error : null,
      end.status === 'done' ? end.progress : null,
    ],
  );
  if (updated.rowCount !== 1) throw new RequestSuperseded(request.id, request.attempt);
}
