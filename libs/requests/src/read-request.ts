import type { Pool, PoolClient } from 'pg';
import { type AdminRequest, type RequestKind, requestOf, type RequestRow, REQUESTS_TABLE } from './request';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** A request by id, of that kind; undefined when there is none (an id that is no UUID included). */
export async function readRequest<K extends RequestKind>(
  db: Pool | PoolClient,
  kind: K,
  id: string,
): Promise<AdminRequest<K> | undefined> {
  if (!UUID.test(id)) return undefined;
  const { rows } = await db.query<RequestRow>(`SELECT * FROM ${REQUESTS_TABLE} WHERE id = $1 AND kind = $2`, [
    id,
    kind,
  ]);
  return rows[0] ? (requestOf(rows[0]) as AdminRequest<K>) : undefined;
}
