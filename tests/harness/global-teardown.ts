import './register-paths';
import { createClient, quoteIdentifier, withDatabase } from '@caravan/database';

const TEARDOWN = Symbol.for('caravan.test.teardown');

/** Drops this run's leftover test databases, then stops what global setup started. */
export default async function globalTeardown(): Promise<void> {
  const runId = process.env.CARAVAN_TEST_RUN;
  const url = process.env.DATABASE_URL;
  if (runId && url)
    await dropRunDatabases(url, runId).catch((e: Error) => process.stderr.write(`[test services] ${e.message}\n`));
  const teardown = (globalThis as Record<symbol, (() => Promise<void>) | undefined>)[TEARDOWN];
  await teardown?.();
}

async function dropRunDatabases(url: string, runId: string): Promise<void> {
  const admin = createClient({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ datname: string }>(`SELECT datname FROM pg_database WHERE datname LIKE $1`, [
      `caravan_t_${runId}_%`,
    ]);
    for (const { datname } of rows)
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdentifier(datname)} WITH (FORCE)`);
  } finally {
    await admin.end();
  }
}
