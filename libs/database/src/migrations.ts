import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Pool } from 'pg';
import { projectRoot } from '@caravan/config';
import { withTransaction } from './transaction';

export type Migration = { version: number; name: string; sql: string; checksum: string };
export type MigrationReport = { applied: Migration[]; alreadyApplied: number };

const FILE_NAME = /^(\d{4})_([a-z0-9_]+)\.sql$/;
// One constant key: every app and the CLI serialise their migration runs on it.
const MIGRATION_LOCK_KEY = 0x63617261; // "cara"

/** `0001_name`, as the file is named. */
export function migrationLabel(m: Pick<Migration, 'version' | 'name'>): string {
  return `${String(m.version).padStart(4, '0')}_${m.name}`;
}

/** Reads `NNNN_name.sql` files in version order; refuses gaps, duplicates and stray files. */
export function readMigrations(dir: string = findMigrationsDir()): Migration[] {
  const files = readdirSync(dir)
    .filter((f) => f.endsWith('.sql'))
    .sort();
  const migrations = files.map((file) => {
    const match = FILE_NAME.exec(file);
    if (!match) throw new Error(`migration file name must look like 0001_name.sql: ${file}`);
    const sql = readFileSync(join(dir, file), 'utf8');
    return {
      version: Number(match[1]),
      name: match[2] as string,
      sql,
      checksum: createHash('sha256').update(sql).digest('hex'),
    };
  });
  migrations.forEach((m, i) => {
    if (m.version !== i + 1)
      throw new Error(`migrations must be numbered 0001, 0002, … without gaps: ${migrationLabel(m)}`);
  });
  return migrations;
}

/** The repository's migrations folder. */
export function findMigrationsDir(): string {
  return join(projectRoot(), 'libs', 'database', 'migrations');
}

/**
 * Applies pending migrations, each in its own transaction, under a session advisory lock so
 * that apps starting together apply each version once. An edited applied migration is an error.
 */
export async function migrate(pool: Pool, migrations: Migration[] = readMigrations()): Promise<MigrationReport> {
  const client = await pool.connect();
  try {
    // A migration may wait for the apps' locks and run long (an index on a large store): it is the
    // one session without the limits, and apps starting together wait here for the first.
    await client.query('SET statement_timeout = 0; SET lock_timeout = 0');
    await client.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    // Read first: a schema already current needs no DDL, so a user that may not migrate (an app's
    // role, the CLI run with one) gets through when there is nothing to do.
    const exists = await client.query<{ table: string | null }>(`SELECT to_regclass('schema_migrations') AS table`);
    if (exists.rows[0]?.table === null)
      await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
        version    integer     PRIMARY KEY,
        name       text        NOT NULL,
        checksum   text        NOT NULL,
        applied_at timestamptz NOT NULL DEFAULT now()
      )`);
    const { rows } = await client.query<{ version: number; checksum: string }>(
      'SELECT version, checksum FROM schema_migrations ORDER BY version',
    );
    const done = new Map(rows.map((r) => [r.version, r.checksum]));
    for (const m of migrations) {
      const checksum = done.get(m.version);
      if (checksum !== undefined && checksum !== m.checksum) {
        throw new Error(`migration ${migrationLabel(m)} was changed after it was applied; add a new migration instead`);
      }
    }
    const pending = migrations.filter((m) => !done.has(m.version));
    for (const m of pending) {
      await withTransaction(client, async () => {
        await client.query(m.sql);
        await client.query('INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)', [
          m.version,
          m.name,
          m.checksum,
        ]);
      }).catch((error: unknown) => {
        // The SQLSTATE stays: a lost connection is worth another attempt, a bad migration is not.
        throw Object.assign(
          new Error(`migration ${migrationLabel(m)} failed: ${(error as Error).message}`, { cause: error }),
          { code: (error as { code?: unknown }).code },
        );
      });
    }
    return { applied: pending, alreadyApplied: done.size };
  } finally {
    await client.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
    const reset = await client.query('RESET statement_timeout; RESET lock_timeout').then(
      () => undefined,
      (e: Error) => e,
    );
    client.release(reset);
  }
}

/** The highest applied version, or 0; readiness compares it with the files shipped. */
export async function currentSchemaVersion(pool: Pool): Promise<number> {
  const { rows } = await pool.query<{ version: number | null }>(
    `SELECT CASE WHEN to_regclass('schema_migrations') IS NULL THEN 0
            ELSE (SELECT coalesce(max(version), 0) FROM schema_migrations) END AS version`,
  );
  return rows[0]?.version ?? 0;
}
