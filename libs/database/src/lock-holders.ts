import type { Pool } from 'pg';

/**
 * The application name (caravan-<app>-<pid>) of each session of the pool's database holding an
 * advisory lock: the one whose key is `key`'s hashtext (a projection's, the append lock, the
 * publisher's), or any.
 */
export async function advisoryLockHolders(pool: Pool, key?: string): Promise<string[]> {
  const { rows } = await pool.query<{ holder: string }>(
    `SELECT a.application_name AS holder FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid
     WHERE l.locktype = 'advisory' AND l.granted AND l.objsubid = 1
       AND l.database = (SELECT oid FROM pg_database WHERE datname = current_database())
       AND ($1::text IS NULL OR l.objid = (hashtext($1)::bigint & 4294967295)::oid)`,
    [key ?? null],
  );
  return rows.map((r) => r.holder);
}
