import { createClient, databaseNameOf, ensureDatabase, redactUrl, withDatabase } from '@caravan/database';
import { MissingPrerequisite } from './prerequisites';

export type PostgresStatus =
  { state: 'running'; version: string; database: string; exists: boolean } | { state: 'unreachable'; error: string };

/** Checks the server answers and creates the Caravan database when missing. */
export async function preparePostgres(
  url: string,
  log: (line: string) => void,
  options = { createDatabase: true },
): Promise<void> {
  const status = await postgresStatus(url);
  if (status.state === 'unreachable') {
    throw new MissingPrerequisite(
      `PostgreSQL is not reachable at ${redactUrl(url)} (${status.error}): install and start ` +
        `PostgreSQL 15+ (apt-get install postgresql), set DATABASE_URL, or use Docker (docker compose up).`,
    );
  }
  if (!options.createDatabase) return log(`PostgreSQL ${status.version} at ${redactUrl(url)}`);
  const { created } = await ensureDatabase(url);
  log(`PostgreSQL ${status.version}: database ${status.database} ${created ? 'created' : 'present'}`);
}

export async function postgresStatus(url: string): Promise<PostgresStatus> {
  const database = databaseNameOf(url);
  const client = createClient({ connectionString: withDatabase(url, 'postgres'), connectionTimeoutMillis: 3_000 });
  try {
    await client.connect();
    const version = await client.query<{ v: string }>(`SELECT current_setting('server_version') AS v`);
    const found = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    return { state: 'running', version: version.rows[0]?.v ?? '?', database, exists: (found.rowCount ?? 0) > 0 };
  } catch (error) {
    return {
      state: 'unreachable',
      error: (error as Error).message || (error as { code?: string }).code || 'connection failed',
    };
  } finally {
    await client.end().catch(() => undefined);
  }
}
