import { databaseNameOf, quoteIdentifier, withDatabase } from './identifiers';
import { createClient } from './pool';

/** Creates the database named by `url` when missing, connecting to the server's `postgres` database. */
export async function ensureDatabase(url: string): Promise<{ created: boolean }> {
  const name = databaseNameOf(url);
  const admin = createClient({ connectionString: withDatabase(url, 'postgres'), connectionTimeoutMillis: 5_000 });
  await admin.connect();
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount) return { created: false };
    try {
      await admin.query(`CREATE DATABASE ${quoteIdentifier(name)}`);
    } catch (error) {
      // Another process created it between our check and our CREATE.
      if ((error as { code?: string }).code === '42P04') return { created: false };
      throw error;
    }
    return { created: true };
  } finally {
    await admin.end();
  }
}

/** Drops a database, ending its remaining sessions first (PostgreSQL 13+). */
export async function dropDatabase(url: string, name: string): Promise<void> {
  const admin = createClient({ connectionString: withDatabase(url, 'postgres'), connectionTimeoutMillis: 5_000 });
  await admin.connect();
  try {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(name)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
