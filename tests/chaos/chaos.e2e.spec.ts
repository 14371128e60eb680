import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '@caravan/config';
import { testServices } from '../harness';

type ChaosResults = {
  faults: Array<{ kind: string; count: number; unhealed: number }>;
  checks: Array<{ name: string; ok: boolean; detail: string }>;
  records: number;
};

/**
 * `npm run chaos`, short: about two minutes of traffic with a few faults of every kind (its own
 * broker, killed and restarted; its own database), then the invariants. Figures are not asserted.
 */
describe('npm run chaos, short', () => {
  it('injects every kind of fault, heals from each, and every invariant holds', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'caravan-chaos-'));
    const out = join(dir, 'chaos.json');
    try {
      const root = projectRoot();
      const child = spawn(
        process.execPath,
        [
          join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
          join(root, 'tools', 'chaos.ts'),
          '--duration',
          '2m',
          '--seed',
          '7',
          '--rate',
          '150',
          '--out',
          out,
        ],
        {
          cwd: root,
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '',
            DATABASE_URL: testServices().databaseUrl,
            CARAVAN_STATE_DIR: join(dir, 'state'),
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      if (code !== 0) throw new Error(`chaos exited ${code}:\n${output.slice(-6000)}`);
      const results = JSON.parse(readFileSync(out, 'utf8')) as ChaosResults;
      expect(results.faults.map((f) => f.kind).sort()).toEqual(
        [
          'freeze append-lock holder',
          'kill -9 and restart the broker',
          'kill api',
          'kill ingestor',
          'kill projector',
          'kill publisher',
          'start a publisher while the broker is down',
          'terminate every app session',
        ].sort(),
      );
      expect(results.faults.every((f) => f.unhealed === 0)).toBe(true);
      expect(results.checks.filter((c) => !c.ok)).toEqual([]);
      expect(results.records).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 1_500_000);
});
