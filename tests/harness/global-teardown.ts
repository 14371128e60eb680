import './register-paths';
import { createClient, DATABASE_ROLES, quoteIdentifier, withDatabase } from '@caravan/database';

const TEARDOWN = Symbol.for('caravan.test.teardown');

/** Drops this run's leftover test databases, then stops what global setup started. */
export default async function globalTeardown(): Promise<void> {
  const runId = process.env.CARAVAN_TEST_RUN;
  const url = process.env.DATABASE_URL;
  if (runId && url)
    await dropRunDatabases(url, runId).catch((e: Error) => process.stderr.write(`[test services] ${e.message}\n`));
  if (url && process.env.CARAVAN_TEST_ROLES_BEFORE !== undefined)
    await dropRunRoles(url, process.env.CARAVAN_TEST_ROLES_BEFORE.split(',')).catch((e: Error) =>
      process.stderr.write(`[test services] ${e.message}\n`),
    );
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

/**
 * Drops the roles of migration 0018 that did not exist before this run, the server left as it
 * was; a role some other database still uses (a local stack's, migrated meanwhile) is kept, and
 * said so.
 */
async function dropRunRoles(url: string, before: string[]): Promise<void> {
  const admin = createClient({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  try {
    // The login users tests made (named caravan_t_<run>_…), then the group roles.
    const { rows } = await admin.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname LIKE $1', [
      `caravan_t_${process.env.CARAVAN_TEST_RUN}_%`,
    ]);
    for (const { rolname } of rows) await admin.query(`DROP ROLE IF EXISTS ${quoteIdentifier(rolname)}`);
    for (const role of Object.values(DATABASE_ROLES).filter((r) => !before.includes(r))) {
      await admin.query(`DROP ROLE IF EXISTS ${quoteIdentifier(role)}`).catch((e: Error) => {
        process.stderr.write(`[test services] role ${role} kept: ${e.message}\n`);
      });
    }
  } finally {
    await admin.end();
  }
}
