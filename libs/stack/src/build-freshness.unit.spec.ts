import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { buildIsCurrent } from './build-freshness';

const BUILT = [
  'dist/apps/ingestor/src/main.js',
  'dist/apps/projector/src/main.js',
  'dist/apps/publisher/src/main.js',
  'dist/apps/api/src/main.js',
  'dist/tools/cli/main.js',
  'dist/dashboard/build.json',
];
const SOURCES = [
  'apps/api/src/main.ts',
  'apps/dashboard/src/main.ts',
  'apps/dashboard/src/styles.css',
  'apps/dashboard/index.html',
  'libs/projections/src/read-models/bookings.projection.ts',
  'tools/cli/main.ts',
  'tsconfig.json',
  'tsconfig.build.json',
  'nest-cli.json',
  'package-lock.json',
];
const T0 = new Date('2026-12-01T10:00:00Z');
const later = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

describe('buildIsCurrent: whether the integration tests and the CLI may skip the build', () => {
  let root: string;
  const write = (file: string, at: Date) => {
    const path = join(root, file);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, '');
    utimesSync(path, at, at);
  };
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'caravan-build-'));
    for (const file of SOURCES) write(file, T0);
    for (const file of BUILT) write(file, later(60));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('holds when every app, the CLI and the dashboard were built after every source', () => {
    expect(buildIsCurrent(root)).toBe(true);
    // Built in the same second as the last change: nothing changed after.
    write('libs/projections/src/read-models/bookings.projection.ts', later(60));
    expect(buildIsCurrent(root)).toBe(true);
  });

  it.each(SOURCES)('fails once %s changes after the build', (file) => {
    write(file, later(61));
    expect(buildIsCurrent(root)).toBe(false);
  });

  it('fails when any part of the build is missing or older than a source', () => {
    for (const file of BUILT) {
      rmSync(join(root, file));
      expect([file, buildIsCurrent(root)]).toEqual([file, false]);
      write(file, new Date(T0.getTime() - 1000));
      expect([file, buildIsCurrent(root)]).toEqual([file, false]);
      write(file, later(60));
    }
    expect(buildIsCurrent(root)).toBe(true);
  });

  it('ignores what the build does not read: specs, migrations, other folders', () => {
    for (const file of [
      'libs/projections/src/read-models/bookings.projection.unit.spec.ts',
      'libs/ingest/src/ingest-batches.int.spec.ts',
      'libs/database/migrations/0099_next.sql',
      'tests/harness/global-setup.ts',
      'tools/bench.ts',
      'README.md',
    ])
      write(file, later(3600));
    expect(buildIsCurrent(root)).toBe(true);
  });

  it('holds for an installed package: dist/ without sources', () => {
    for (const file of SOURCES) rmSync(join(root, file));
    expect(buildIsCurrent(root)).toBe(true);
  });
});
