import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { APP_NAMES, projectRoot } from '@caravan/config';
import {
  type ChildApp,
  configOf,
  createPipelineTopics,
  createTestDatabase,
  dockerfileRuntime,
  freePort,
  pipelineEnv,
  spawnApp,
  stopApp,
  type TestDatabase,
  useChildApps,
  waitFor,
} from '../harness';

const root = projectRoot();
const version = (JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string }).version;
/** Packages only the build or the tests need: none may be installed by a production install. */
const DEV_ONLY = [
  'tsx',
  'typescript',
  'jest',
  '@nestjs/cli',
  'esbuild',
  'testcontainers',
  'playwright-core',
  '@swc/core',
];

type Packed = {
  filename: string;
  size: number;
  unpackedSize: number;
  entryCount: number;
  files: Array<{ path: string }>;
};

/** Runs a command to its end: its standard output; throws with its output unless it exits 0. */
function run(command: string, args: string[], options: { cwd: string; env?: Record<string, string> }): string {
  const result = spawnSync(command, args, {
    cwd: options.cwd,
    env: { ...process.env, ...options.env },
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
  });
  if (result.status !== 0)
    throw new Error(
      `${command} ${args.join(' ')} exited ${result.status ?? result.signal}:\n${result.stdout}\n${result.stderr}`,
    );
  return result.stdout;
}

/**
 * A module preloaded into an app (NODE_OPTIONS=--require) for it to meet signals as PID 1 of a
 * container without an init does: a signal it has no handler for is ignored (so the SIGTERM Nest
 * raises again after closing the app is lost), and a handle stays open (the event loop never drains).
 */
const PID1_PRELOAD = `'use strict';
process.stderr.write('[as PID 1]\\n');
const kill = process.kill.bind(process);
process.kill = (pid, signal = 'SIGTERM') =>
  pid === process.pid && signal !== 0 && process.listenerCount(signal) === 0 ? true : kill(pid, signal);
setInterval(() => {}, 60_000);
`;

function filesUnder(dir: string, skip: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const path = join(dir, e.name);
    if (path === skip) return [];
    return e.isDirectory() ? filesUnder(path, skip) : [path];
  });
}

/**
 * Caravan as an ops team gets it: the package of `npm pack` (compiled apps and CLI, migrations,
 * the dashboard), installed outside the repository with production dependencies only, (1) by the
 * container image's own install step and (2) by `npm install` of the tarball; from each, the CLI
 * migrates a fresh database and the four apps start, answer their probes and stop.
 */
describe('Caravan installed from its package, without the repository (npm pack, production dependencies only)', () => {
  const work = mkdtempSync(join(tmpdir(), 'caravan-package-'));
  const running = useChildApps('each');
  let packed: Packed;
  let tarball: string;
  let db: TestDatabase | undefined;

  beforeAll(() => {
    packed = (
      JSON.parse(run('npm', ['pack', '--json', '--silent', '--pack-destination', work], { cwd: root })) as Packed[]
    )[0] as Packed;
    tarball = join(work, packed.filename);
    const kib = (n: number) => `${(n / 1024).toFixed(1)} KiB`;
    process.stderr.write(
      `[package] ${packed.filename}: ${kib(packed.size)} packed, ${kib(packed.unpackedSize)} ` +
        `unpacked, ${packed.entryCount} files\n`,
    );
  });
  afterEach(async () => {
    await db?.drop();
    db = undefined;
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('holds the compiled apps and CLI, the migrations and the dashboard, and no sources', () => {
    const paths = packed.files.map((f) => f.path);
    for (const app of APP_NAMES) expect(paths).toContain(`dist/apps/${app}/src/main.js`);
    expect(paths).toEqual(
      expect.arrayContaining([
        'bin/caravan.js',
        'bin/caravan-app.js',
        'dist/tools/cli/main.js',
        'dist/dashboard/index.html',
        'docs/contract/README.md',
      ]),
    );
    const migrations = readdirSync(join(root, 'libs', 'database', 'migrations')).filter((f) => f.endsWith('.sql'));
    expect(migrations.length).toBeGreaterThan(0);
    for (const m of migrations) expect(paths).toContain(`libs/database/migrations/${m}`);
    expect(
      paths.filter((p) => p.endsWith('.ts') || p.endsWith('.map') || p.startsWith('tests/') || p.startsWith('tools/')),
    ).toEqual([]);
  });

  /**
   * `caravan migrate` of the installed CLI on a database with no table yet, then the four apps on
   * it (not migrating themselves).
   */
  async function migrateAndStartApps(
    cli: string[],
    installed: string,
    extraEnv: Record<string, string>,
    probe?: (port: number) => void,
  ): Promise<void> {
    db = await createTestDatabase({ migrate: false });
    const env = pipelineEnv(db.url, { ...extraEnv, MIGRATE_ON_START: 'false', LOG_LEVEL: 'warn' });
    const elsewhere = mkdtempSync(join(work, 'cwd-'));
    expect(run(cli[0] as string, [...cli.slice(1), '--version'], { cwd: elsewhere }).trim()).toBe(version);
    const migrated = run(cli[0] as string, [...cli.slice(1), 'migrate'], {
      cwd: elsewhere,
      env: { DATABASE_URL: db.url },
    });
    expect(migrated).toMatch(/applied 0001/);
    expect(
      run(cli[0] as string, [...cli.slice(1), 'migrate'], { cwd: elsewhere, env: { DATABASE_URL: db.url } }),
    ).toMatch(/up to date/);
    await createPipelineTopics(configOf(env));

    const apps: Array<{ app: (typeof APP_NAMES)[number]; port: number; child: ChildApp }> = [];
    for (const app of APP_NAMES) {
      const port = await freePort();
      const child = spawnApp(app, { ...env, HTTP_PORT: String(port) }, { installed });
      running.push(child);
      apps.push({ app, port, child });
    }
    for (const { app, port, child } of apps) {
      await waitFor(
        async () => (await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined))?.status === 200,
        {
          what: `the installed ${app} ready (log ${child.logFile})`,
          timeoutMs: 120_000,
        },
      );
      probe?.(port);
    }
    const api = apps.find((a) => a.app === 'api') as (typeof apps)[number];
    const page = await fetch(`http://127.0.0.1:${api.port}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/i);
    expect((await fetch(`http://127.0.0.1:${api.port}/v1/kpis`)).status).toBe(200);
    for (const { app, child } of apps) {
      // Nest closes the app on SIGTERM, then the app exits 0 by itself (as PID 1 too: see asPid1).
      await stopApp(child);
      expect([app, child.process.exitCode ?? child.process.signalCode]).toEqual([app, 0]);
      if (extraEnv.NODE_OPTIONS) expect(readFileSync(child.logFile, 'utf8')).toContain('[as PID 1]');
    }
  }

  it("the container image's steps: its install script, its HEALTHCHECK, its entrypoint", async () => {
    const image = dockerfileRuntime(root);
    // The Dockerfile installs with deploy/image/install.sh: the same script, into a folder standing for /app.
    expect(image.installLine).toBe('sh /tmp/install.sh /tmp/caravan.tgz /tmp/package-lock.json /app');
    const app = join(work, 'image', 'app');
    const inImage = (args: string[]) => args.map((a) => a.replace(/^\/app\//, `${app}/`));
    run('sh', [join(root, 'deploy', 'image', 'install.sh'), tarball, join(root, 'package-lock.json'), app], {
      cwd: work,
      env: { npm_config_prefer_offline: 'true' },
    });
    for (const dev of DEV_ONLY) expect([dev, existsSync(join(app, 'node_modules', dev))]).toEqual([dev, false]);
    process.stderr.write(
      `[package] installed with its production ` +
        `dependencies: ${run('du', ['-sh', app], { cwd: work }).split('\t')[0]}\n`,
    );
    expect(
      filesUnder(app, join(app, 'node_modules'))
        .filter((f) => f.endsWith('.ts'))
        .map((f) => relative(app, f)),
    ).toEqual([]);
    expect(image.entrypoint).toEqual(['tini', '--', 'node', '/app/bin/caravan-app.js']);
    // The entrypoint without an argument reads CARAVAN_APP; both, differing, are refused in one line.
    const entrypoint = image.entrypoint ?? [];
    const launcher = inImage(entrypoint.slice(entrypoint.indexOf('node') + 1));
    const launch = (args: string[], env: Record<string, string>) =>
      spawnSync(process.execPath, [...launcher, ...args], { cwd: app, env, encoding: 'utf8' });
    const fromEnv = launch([], { PATH: process.env.PATH ?? '', CARAVAN_APP: 'ingester' });
    expect([fromEnv.status, fromEnv.stderr]).toEqual([2, expect.stringMatching(/^[^\n]*CARAVAN_APP[^\n]*\n$/)]);
    const both = launch(['api'], { PATH: process.env.PATH ?? '', CARAVAN_APP: 'ingestor' });
    expect([both.status, both.stderr]).toEqual([2, expect.stringMatching(/^caravan-app: [^\n]*\n$/)]);
    expect(launch(['--help'], { PATH: process.env.PATH ?? '' }).stdout).toMatch(
      /argument names, else the one CARAVAN_APP\s+names, else the api/,
    );
    expect(image.env).toMatchObject({ NODE_ENV: 'production', HTTP_HOST: '0.0.0.0' });

    const asPid1 = join(work, 'as-pid-1.js');
    writeFileSync(asPid1, PID1_PRELOAD);
    await migrateAndStartApps(
      ['node', join(app, 'bin', 'caravan.js')],
      app,
      {
        NODE_ENV: image.env.NODE_ENV as string,
        HTTP_HOST: image.env.HTTP_HOST as string,
        // Each app still exits on SIGTERM (the test waits for it), with an open handle and as PID 1.
        NODE_OPTIONS: `--require ${asPid1}`,
      },
      (port) => {
        // The image's HEALTHCHECK, as Docker runs it inside the container.
        const [command, ...args] = inImage(image.healthcheck ?? []);
        run(command as string, args, { cwd: app, env: { HTTP_PORT: String(port) } });
      },
    );
  });

  it('npm install of the tarball into a project of its own: the caravan and caravan-app commands', async () => {
    const project = join(work, 'ops');
    mkdirSync(project, { recursive: true });
    writeFileSync(
      join(project, 'package.json'),
      `${JSON.stringify({ name: 'ops', version: '1.0.0', private: true })}\n`,
    );
    run('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', '--prefer-offline', tarball], { cwd: project });
    for (const dev of DEV_ONLY) expect([dev, existsSync(join(project, 'node_modules', dev))]).toEqual([dev, false]);
    for (const command of ['caravan', 'caravan-app'])
      expect(existsSync(join(project, 'node_modules', '.bin', command))).toBe(true);
    await migrateAndStartApps(
      [join(project, 'node_modules', '.bin', 'caravan')],
      join(project, 'node_modules', 'caravan'),
      {},
    );
  });
});
