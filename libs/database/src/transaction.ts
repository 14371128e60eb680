import { type ClientBase, Pool, type PoolClient } from 'pg';

/**
 * Runs `work` in one transaction: on a pool, on a client checked out for it and released after
 * (discarded when its ROLLBACK fails: such a session is in no known state); on a client the
 * caller holds (a lock's session), on that client. COMMIT when `work` resolves, unless `commitIf`
 * says no (then ROLLBACK); ROLLBACK when it throws, and its error is what the caller sees.
 */
export function withTransaction<T>(
  pool: Pool,
  work: (client: PoolClient) => Promise<T>,
  begin?: string,
  commitIf?: (result: T) => boolean,
): Promise<T>;
export function withTransaction<T, C extends ClientBase>(
  client: C,
  work: (client: C) => Promise<T>,
  begin?: string,
  commitIf?: (result: T) => boolean,
): Promise<T>;
export async function withTransaction<T>(
  db: Pool | PoolClient,
  work: (client: PoolClient) => Promise<T>,
  begin = 'BEGIN',
  commitIf: (result: T) => boolean = () => true,
): Promise<T> {
  if (!(db instanceof Pool)) return transaction(db, work, begin, commitIf, () => undefined);
  const client = await db.connect();
  let broken: Error | undefined;
  try {
    return await transaction(client, work, begin, commitIf, (e) => (broken = e));
  } finally {
    client.release(broken);
  }
}

async function transaction<T, C extends ClientBase>(
  client: C,
  work: (client: C) => Promise<T>,
  begin: string,
  commitIf: (result: T) => boolean,
  rollbackFailed: (error: Error) => void,
): Promise<T> {
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query(commitIf(result) ? 'COMMIT' : 'ROLLBACK');
    return result;
  } catch (error) {
    // A lost connection cannot roll back: the original error is what the caller must see.
    await client.query('ROLLBACK').catch(rollbackFailed);
    throw error;
  }
}
