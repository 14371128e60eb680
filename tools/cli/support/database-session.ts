import type { Pool } from 'pg';
import type { CaravanConfig } from '@caravan/config';
import { createPool, ensureDatabase, migrate } from '@caravan/database';

/** A small pool on a migrated database for one command; closed when `work` settles. */
export async function withDatabase<T>(
  config: CaravanConfig,
  name: string,
  work: (pool: Pool) => Promise<T>,
): Promise<T> {
  await ensureDatabase(config.database.url);
  const pool = createPool({
    url: config.database.url,
    poolSize: 2,
    applicationName: `caravan-${name}`,
    limits: config.database.limits,
  });
  try {
    await migrate(pool);
    return await work(pool);
  } finally {
    await pool.end();
  }
}
