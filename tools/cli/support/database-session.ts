import type { Pool } from 'pg';
import type { CaravanConfig } from '@caravan/config';
import { createPool, ensureDatabase, migrate, type MigrationReport } from '@caravan/database';

/**
 * A small pool on a migrated database (created when missing) for one command, with what the
 * migration applied; closed when `work` settles.
 */
export async function withDatabase<T>(
  config: CaravanConfig,
  name: string,
  work: (pool: Pool, migrated: MigrationReport) => Promise<T>,
): Promise<T> {
  await ensureDatabase(config.database.url);
  const pool = createPool({
    url: config.database.url,
    poolSize: 2,
    applicationName: `caravan-${name}`,
    limits: config.database.limits,
  });
  try {
    const migrated = await migrate(pool);
    return await work(pool, migrated);
  } finally {
    await pool.end();
  }
}
