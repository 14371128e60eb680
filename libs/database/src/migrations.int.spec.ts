import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createPool } from './pool';
import { currentSchemaVersion, migrate, readMigrations } from './migrations';
import { useTestDatabase } from '../../../tests/harness';

describe('migrate (real PostgreSQL)', () => {
  const db = useTestDatabase({ migrate: false });

  it('applies the shipped migrations once: a second run changes nothing', async () => {
    const shipped = readMigrations();
    const first = await migrate(db().pool);
    const second = await migrate(db().pool);
    expect(first.applied.map((m) => m.version)).toEqual(shipped.map((m) => m.version));
    expect(second.applied).toEqual([]);
    expect(second.alreadyApplied).toBe(shipped.length);
    const { rows } = await db().pool.query(
      'SELECT version, count(*)::int AS n FROM schema_migrations GROUP BY version ORDER BY version',
    );
    expect(rows).toEqual(shipped.map((m) => ({ version: m.version, n: 1 })));
    expect(await currentSchemaVersion(db().pool)).toBe(shipped.length);
  });
});

describe('migrate from several processes at once', () => {
  const db = useTestDatabase({ migrate: false });
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'caravan-migrations-'));
    // Not idempotent on purpose: applied twice, the second CREATE TABLE would fail.
    writeFileSync(join(dir, '0001_first.sql'), 'CREATE TABLE first_table (id int PRIMARY KEY);');
    writeFileSync(
      join(dir, '0002_second.sql'),
      'CREATE TABLE second_table (id int PRIMARY KEY); SELECT pg_sleep(0.2);',
    );
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('serialises concurrent runs on the advisory lock: each version applied exactly once', async () => {
    const pools = Array.from({ length: 4 }, () => createPool({ url: db().url, poolSize: 1 }));
    try {
      const reports = await Promise.all(pools.map((pool) => migrate(pool, readMigrations(dir))));
      const appliedVersions = reports.flatMap((r) => r.applied.map((m) => m.version)).sort();
      expect(appliedVersions).toEqual([1, 2]);
      const { rows } = await db().pool.query('SELECT version FROM schema_migrations ORDER BY version');
      expect(rows).toEqual([{ version: 1 }, { version: 2 }]);
    } finally {
      await Promise.all(pools.map((p) => p.end()));
    }
  });

  it('refuses to run when an applied migration was edited', async () => {
    writeFileSync(join(dir, '0001_first.sql'), 'CREATE TABLE first_table (id bigint PRIMARY KEY);');
    await expect(migrate(db().pool, readMigrations(dir))).rejects.toThrow(
      /0001_first was changed after it was applied/,
    );
  });

  it('rolls back a failing migration and records nothing for it', async () => {
    writeFileSync(join(dir, '0001_first.sql'), 'CREATE TABLE first_table (id int PRIMARY KEY);');
    writeFileSync(join(dir, '0003_broken.sql'), 'CREATE TABLE third_table (id int); SELECT no_such_function();');
    await expect(migrate(db().pool, readMigrations(dir))).rejects.toThrow(/0003_broken failed/);
    const third = await db().pool.query(`SELECT to_regclass('third_table') AS t`);
    expect(third.rows[0].t).toBeNull();
    expect(await currentSchemaVersion(db().pool)).toBe(2);
  });
});
