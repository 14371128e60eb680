import { randomUUID } from 'node:crypto';
import type { Pool } from 'pg';
import {
  type AdminRequest,
  type ArgumentsOf,
  rebuildArguments,
  replayArguments,
  type RequestKind,
  requestOf,
  type RequestRow,
  REQUESTS_CHANNEL,
  REQUESTS_TABLE,
} from './request';

/**
 * Records a request and wakes its executors (NOTIFY on commit, in the same statement's
 * transaction); `requestedBy` says who asked (api, cli). The executors also poll: a request made
 * while none listens is taken when one starts.
 */
export async function submitRequest<K extends RequestKind>(
  pool: Pool,
  kind: K,
  args: ArgumentsOf<K>,
  requestedBy: string,
): Promise<AdminRequest<K>> {
  const parsed = kind === 'rebuild' ? rebuildArguments.parse(args) : replayArguments.parse(args);
  const { rows } = await pool.query<RequestRow>(
    `WITH inserted AS (
       INSERT INTO ${REQUESTS_TABLE} (id, kind, arguments, requested_by) VALUES ($1, $2, $3, $4) RETURNING *
     ), notified AS (SELECT pg_notify('${REQUESTS_CHANNEL}', $2))
     SELECT inserted.* FROM inserted, notified`,
    [randomUUID(), kind, JSON.stringify(parsed), requestedBy],
  );
  return requestOf(rows[0] as RequestRow) as AdminRequest<K>;
}
