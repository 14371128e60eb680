import { randomBytes } from 'node:crypto';
import type { Pool } from 'pg';
import { createClient, createPool, dropDatabase, migrate, quoteIdentifier, withDatabase } from '@caravan/database';
import { testServices } from './test-env';

export type TestDatabase = { name: string; url: string; pool: Pool; drop: () => Promise<void> };

/** A fresh database on the test server, migrated unless told otherwise; `drop()` removes it. */
export async function createTestDatabase(options: { migrate?: boolean } = {}): Promise<TestDatabase> {
  const { databaseUrl, runId } = testServices();
  // Random, not counted: Jest reloads this module for every test file a worker runs.
  const name = `caravan_t_${runId}_${randomBytes(6).toString('hex')}`;
  const url = withDatabase(databaseUrl, name);
  const admin = createClient({ connectionString: withDatabase(databaseUrl, 'postgres') });
  await admin.connect();
  try {
    await admin.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
  } finally {
    await admin.end();
  }
  const pool = createPool({ url, poolSize: 5, applicationName: 'caravan-test' });
  if (options.migrate !== false) await migrate(pool);
  return {
    name,
    url,
    pool,
    drop: async () => {
      await pool.end();
      await dropDatabase(databaseUrl, name);
    },
  };
}

/** Registers a fresh database for the enclosing describe block: created before, dropped after. */
export function useTestDatabase(options: { migrate?: boolean } = {}): () => TestDatabase {
  let db: TestDatabase | undefined;
  beforeAll(async () => {
    db = await createTestDatabase(options);
  });
  afterAll(async () => {
    await db?.drop();
  });
  return () => {
    if (!db) throw new Error('test database not created yet: use it inside a test or hook');
    return db;
  };
}
