import type { Client, Pool, PoolClient } from 'pg';
import { withTransaction } from '@caravan/database';
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

/** Claims a request gets at most: then it is failed with its last reason (a transient one for ever would hold its kind up). */
export const MAX_CLAIMS = 5;

type OpenRow = Pick<RequestRow, 'id' | 'attempt' | 'error'>;

/**
 * Claims the oldest open request of `kind` on `session`, the executor's own connection, which
 * keeps the request's advisory lock until `release`. Open: requested, or running under a lock
 * nobody holds (its executor died, its session with it): taken over. Rows another executor is
 * claiming at this moment are skipped (SKIP LOCKED), and a running request's lock is held by the
 * executor running it, so no two executors ever run one request at once. A row that cannot run
 * (claimed MAX_CLAIMS times already, or unparsable) is failed with the reason and the next tried.
 */
export function claimRequest(session: Client, kind: RequestKind, by: string): Promise<AdminRequest | undefined> {
  return withTransaction(session, async () => {
    const { rows } = await session.query<OpenRow>(
      `SELECT id, attempt, error FROM ${REQUESTS_TABLE} WHERE kind = $1 AND status IN ('requested', 'running')
       ORDER BY requested_at, id LIMIT 50 FOR UPDATE SKIP LOCKED`,
      [kind],
    );
    for (const row of rows) {
      const locked = await session.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
        requestLockName(row.id),
      ]);
      if (!locked.rows[0]?.locked) continue;
      const claimed = row.attempt >= MAX_CLAIMS ? await giveUp(session, row) : await claim(session, row.id, by);
      if (claimed) return claimed;
      await releaseRequest(session, row.id);
    }
    return undefined;
  });
}

/** The row claimed, parsed; undefined (and the row failed) when it does not parse: it never would. */
async function claim(session: Client, id: string, by: string): Promise<AdminRequest | undefined> {
  const { rows } = await session.query<RequestRow>(
    `UPDATE ${REQUESTS_TABLE} SET status = 'running', claimed_by = $2, claimed_at = now(), attempt = attempt + 1,
            updated_at = now()
     WHERE id = $1 RETURNING *`,
    [id, by],
  );
  try {
    return requestOf(rows[0] as RequestRow);
  } catch (error) {
    await failRow(session, id, `unparsable request: ${(error as Error).message}`);
    return undefined;
  }
}

async function giveUp(session: Client, row: OpenRow): Promise<undefined> {
  const last = row.error ?? `claim ${row.attempt} ended with its executor's session`;
  await failRow(session, row.id, `gave up after ${row.attempt} claims: ${last}`);
  return undefined;
}

async function failRow(session: Client, id: string, error: string): Promise<void> {
  await session.query(
    `UPDATE ${REQUESTS_TABLE} SET status = 'failed', error = $2, finished_at = now(), updated_at = now() WHERE id = $1`,
    [id, error],
  );
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

/** Notes why claim `attempt` was interrupted: the reason given if the request is given up (MAX_CLAIMS). */
export async function noteInterruption(
  db: Db,
  request: Pick<AdminRequest, 'id' | 'attempt'>,
  reason: string,
): Promise<void> {
  await db.query(
    `UPDATE ${REQUESTS_TABLE} SET error = $3, updated_at = now() WHERE id = $1 AND attempt = $2 AND status = 'running'`,
    [request.id, request.attempt, reason],
  );
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
