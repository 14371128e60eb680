import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, sep } from 'node:path';
import { projectRoot } from '@caravan/config';
import { ADMIN_SCOPES, KPIS, REJECTION_CODES } from '@caravan/contract';
import { csvColumnsSummary } from '@caravan/importer';
import { PROJECTIONS } from '@caravan/projections';
import { CLI_COMMANDS } from '../harness/cli';

// `caravan --help`, `caravan <command> --help` and `--version` build the program only: they must
// not load the application (the libraries, NestJS, pg, kafkajs…), only commander and the contract.
// The built CLI (dist/, which the global setup builds) runs with a hook that lists what it loaded.

const root = projectRoot();
const cli = join(root, 'dist', 'tools', 'cli', 'main.js');
/**
 * What help must not load: the libraries other than the contract, the apps, the I/O clients and
 * NestJS. Of @caravan/config, only project-root.js (the version's package.json; it loads nothing
 * but node:fs and node:path, which the --version test checks).
 */
const APPLICATION = [
  /^dist\/libs\/(?!contract\/|config\/src\/project-root\.js$)/,
  /^dist\/apps\//,
  /(^|\/)node_modules\/(@nestjs|pg|kafkajs|prom-client|pino)\//,
];

type TracedRun = { status: number | null; stdout: string; stderr: string; modules: string[] };

let dir: string;
let hook: string;
let runs = 0;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'caravan-help-'));
  hook = join(dir, 'loaded-modules.js');
  writeFileSync(
    hook,
    `'use strict';\nconst { writeFileSync } = require('node:fs');\nprocess.on('exit', () => ` +
      `writeFileSync(process.env.CARAVAN_LOADED_MODULES, JSON.stringify(Object.keys(require.cache))));\n`,
  );
});

afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** `node dist/tools/cli/main.js …args`, with the modules it had loaded when it exited (paths relative to the root). */
async function runTraced(args: string[]): Promise<TracedRun> {
  const list = join(dir, `modules-${(runs += 1)}.json`);
  const child = spawn(process.execPath, ['--require', hook, cli, ...args], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', CARAVAN_LOADED_MODULES: list },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const status = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  const modules = (JSON.parse(readFileSync(list, 'utf8')) as string[]).map((m) =>
    relative(root, m).split(sep).join('/'),
  );
  return { status, stdout, stderr, modules };
}

const application = (run: TracedRun): string[] =>
  run.modules.filter((m) => APPLICATION.some((pattern) => pattern.test(m)));

/** The hook saw the run: the CLI and commander are among the modules (else "nothing heavy" would prove nothing). */
function expectTraced(run: TracedRun): void {
  expect(run.modules).toContain('dist/tools/cli/main.js');
  expect(run.modules.some((m) => /(^|\/)node_modules\/commander\//.test(m))).toBe(true);
}

describe('caravan --help and --version load nothing of the application', () => {
  it('lists every command in --help', async () => {
    const run = await runTraced(['--help']);
    expect([run.status, run.stderr]).toEqual([0, '']);
    for (const command of CLI_COMMANDS) expect(run.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    expectTraced(run);
    expect(application(run)).toEqual([]);
  });

  it("prints package.json's version with --version", async () => {
    const run = await runTraced(['--version']);
    const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version: string };
    expect([run.status, run.stdout, run.stderr]).toEqual([0, `${version}\n`, '']);
    expectTraced(run);
    expect(application(run)).toEqual([]);
    // The one file of @caravan/config it loads (projectRoot) requires nothing of the application.
    const projectRootJs = 'dist/libs/config/src/project-root.js';
    expect(run.modules).toContain(projectRootJs);
    const requires = [...readFileSync(join(root, projectRootJs), 'utf8').matchAll(/require\("([^"]+)"\)/g)];
    expect(requires.map((m) => m[1]).sort()).toEqual(['node:fs', 'node:path']);
  });

  it.each([
    {
      name: 'rebuild --help',
      args: ['rebuild', '--help'],
      shows: [`${PROJECTIONS.map((p) => p.name).join(' | ')} | all`, '--no-swap'],
    },
    {
      name: 'simulate --help',
      args: ['simulate', '--help'],
      shows: [
        '--rate',
        '--from',
        '--to',
        '--seed',
        '--count',
        '--out',
        '--seed-year',
        '--bad-share',
        '--duplicate-share',
        '--verify',
      ],
    },
    {
      name: 'import --help',
      args: ['import', '--help'],
      shows: [
        '--dry-run',
        ...csvColumnsSummary()
          .split('\n')
          .map((line) => `  ${line}`),
      ],
    },
    { name: 'kpis --help', args: ['kpis', '--help'], shows: ['--watch', ...KPIS.map((kpi) => `"${kpi}"`)] },
    {
      name: 'dlq list --help',
      args: ['dlq', 'list', '--help'],
      shows: ['--values', ...REJECTION_CODES.map((code) => `"${code}"`)],
    },
    { name: 'help offsets', args: ['help', 'offsets'], shows: ['list', 'reset'] },
    { name: 'help admin', args: ['help', 'admin'], shows: ['tokens', 'audit'] },
    {
      name: 'admin tokens create --help',
      args: ['admin', 'tokens', 'create', '--help'],
      shows: ['--name', '--scopes', ...ADMIN_SCOPES.map((scope) => `"${scope}"`)],
    },
    { name: 'admin audit --help', args: ['admin', 'audit', '--help'], shows: ['--limit', '--json'] },
  ])('shows `caravan $name`', async ({ args, shows }) => {
    const run = await runTraced(args);
    expect([run.status, run.stderr]).toEqual([0, '']);
    for (const part of shows) expect(run.stdout).toContain(part);
    expectTraced(run);
    expect(application(run)).toEqual([]);
  });

  it("loads a command's implementation when it runs", async () => {
    const run = await runTraced(['rebuild', 'no_such_projection']);
    expect([run.status, run.stderr]).toEqual([
      2,
      `caravan rebuild: no projection no_such_projection; one of ${PROJECTIONS.map((p) => p.name).join(', ')}, all\n`,
    ]);
    expect(run.modules.some((m) => m.startsWith('dist/libs/projections/'))).toBe(true);
  });
});
