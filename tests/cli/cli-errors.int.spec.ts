import { readFileSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '@caravan/config';
import { CLI_COMMANDS, runCli, testServices } from '../harness';

/** A port nothing listens on (bound once by the OS, then released). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

const oneLine = (stderr: string) => stderr.trim().split('\n');

describe('the caravan CLI: help, exit codes and one-line failures', () => {
  it('documents every command in --help', async () => {
    const run = await runCli(['--help'], {});
    expect(run.status).toBe(0);
    for (const command of CLI_COMMANDS) {
      expect(run.stdout).toMatch(new RegExp(`^\\s+${command}\\b`, 'm'));
    }
    const version = await runCli(['--version'], {});
    expect([version.status, version.stdout]).toEqual([
      0,
      `${(JSON.parse(readFileSync(join(projectRoot(), 'package.json'), 'utf8')) as { version: string }).version}\n`,
    ]);
    const simulate = await runCli(['simulate', '--help'], {});
    for (const option of [
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
    ])
      expect(simulate.stdout).toContain(option);
  });

  it('exits 1 with one line naming Kafka when no broker answers', async () => {
    const port = await closedPort();
    const run = await runCli(['simulate', '--count', '10', '--quiet'], {
      KAFKA_BROKERS: `127.0.0.1:${port}`,
      DATABASE_URL: testServices().databaseUrl,
    });
    expect(run.status).toBe(1);
    expect(oneLine(run.stderr)).toEqual([
      expect.stringMatching(
        new RegExp(`^caravan simulate: Kafka is not reachable at 127\\.0\\.0\\.1:${port} .*caravan stack up`),
      ),
    ]);
  });

  it('exits 1 with one line naming PostgreSQL when it does not answer', async () => {
    const port = await closedPort();
    const run = await runCli(['migrate'], { DATABASE_URL: `postgres://postgres@127.0.0.1:${port}/caravan_nowhere` });
    expect(run.status).toBe(1);
    expect(oneLine(run.stderr)).toEqual([expect.stringMatching(/^caravan migrate: PostgreSQL is not reachable/)]);
  });

  it('exits 1 with one line when the api does not answer', async () => {
    const port = await closedPort();
    const run = await runCli(['kpis', '--api-url', `http://127.0.0.1:${port}`], {});
    expect(run.status).toBe(1);
    expect(oneLine(run.stderr)).toEqual([
      expect.stringMatching(new RegExp(`^caravan kpis: the api is not reachable at http://127\\.0\\.0\\.1:${port}`)),
    ]);
  });

  it('exits 2 on usage errors', async () => {
    expect((await runCli(['simulate', '--no-such-option'], {})).status).toBe(2);
    expect((await runCli(['simulate', '--bad-share', '2'], {})).status).toBe(2);
    expect((await runCli(['rebuild', 'no_such_projection'], {})).status).toBe(2);
    expect((await runCli(['no-such-command'], {})).status).toBe(2);
  });

  it('writes the same records for the same seed (--out needs no Kafka)', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'caravan-sim-'));
    try {
      const args = (file: string) => [
        'simulate',
        '--from',
        '2024-01-01',
        '--to',
        '2024-03-01',
        '--count',
        '300',
        '--seed',
        '7',
        '--bad-share',
        '0.05',
        '--out',
        join(dir, file),
        '--quiet',
      ];
      const [a, b] = await Promise.all([runCli(args('a.ndjson'), {}), runCli(args('b.ndjson'), {})]);
      expect([a.status, b.status]).toEqual([0, 0]);
      const text = readFileSync(join(dir, 'a.ndjson'), 'utf8');
      expect(text.split('\n').filter(Boolean)).toHaveLength(300);
      expect(readFileSync(join(dir, 'b.ndjson'), 'utf8')).toBe(text);
      expect(a.stdout).toMatch(
        /the pipeline should count: accepted \d+ \+ duplicate \d+ \+ rejected \d+ .* = consumed 300/,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
