import type { Pool, PoolClient } from 'pg';

/**
 * Takes the advisory lock `key` (its hashtext) on a session of its own, which the caller then
 * holds: the lock lives as long as the session (a leader's, a projection runner's). Resolves
 * undefined, the session back in the pool, while another session holds it.
 */
export async function takeSessionLock(pool: Pool, key: string): Promise<PoolClient | undefined> {
  const client = await pool.connect();
  try {
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
      key,
    ]);
    if (rows[0]?.locked !== true) {
      client.release();
      return undefined;
    }
    // A holder frozen (SIGSTOP, a VM pause) between transactions would keep the lock forever. Idle
    // as long as a transaction may be, the server ends the session and another takes over; a live
    // holder is never idle that long.
    await client.query(
      `SELECT set_config('idle_session_timeout', current_setting('idle_in_transaction_session_timeout'), false)`,
    );
    return client;
  } catch (error) {
    client.release(true);
    throw error;
  }
}

/** Lets the lock go and the session back to the pool, which discards it when it cannot be reset. */
export async function releaseSessionLock(client: PoolClient, key: string): Promise<void> {
  const failed = await client
    .query('SELECT pg_advisory_unlock(hashtext($1))', [key])
    .then(() => client.query('RESET idle_session_timeout; RESET application_name'))
    .then(
      () => undefined,
      (e: Error) => e,
    );
  client.release(failed);
}
