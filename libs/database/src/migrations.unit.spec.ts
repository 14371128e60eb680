import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findMigrationsDir, latestVersion, readMigrations } from './migrations';

describe('readMigrations', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'caravan-migrations-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('reads the shipped migrations in increasing order, from 1', () => {
    const shipped = readMigrations(findMigrationsDir());
    expect(shipped[0]?.version).toBe(1);
    expect(shipped.map((m) => m.version)).toEqual([...new Set(shipped.map((m) => m.version))].sort((a, b) => a - b));
    expect(latestVersion(shipped)).toBe(shipped.at(-1)?.version);
  });

  it('orders files by version and checksums their text', () => {
    writeFileSync(join(dir, '0002_second.sql'), 'SELECT 2;');
    writeFileSync(join(dir, '0001_first.sql'), 'SELECT 1;');
    const migrations = readMigrations(dir);
    expect(migrations.map((m) => [m.version, m.name])).toEqual([
      [1, 'first'],
      [2, 'second'],
    ]);
    expect(migrations[0]?.checksum).toMatch(/^[0-9a-f]{64}$/);
  });

  it('takes a skipped number (reserved by another branch) and refuses a number used twice', () => {
    writeFileSync(join(dir, '0001_first.sql'), 'SELECT 1;');
    writeFileSync(join(dir, '0003_third.sql'), 'SELECT 3;');
    expect(readMigrations(dir).map((m) => m.version)).toEqual([1, 3]);
    expect(latestVersion(readMigrations(dir))).toBe(3);
    writeFileSync(join(dir, '0003_other.sql'), 'SELECT 3;');
    expect(() => readMigrations(dir)).toThrow(/unique/);
  });

  it('refuses a badly named file', () => {
    writeFileSync(join(dir, '1_first.sql'), 'SELECT 1;');
    expect(() => readMigrations(dir)).toThrow(/0001_name\.sql/);
  });
});
