import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '@caravan/config';
import { testServices } from '../harness';

/**
 * The benchmark at a tiny size, so it never rots: it must run every step and pass its own
 * correctness checks (figures are not asserted).
 */
describe('npm run bench, tiny', () => {
  it('runs every measurement, side by side, and its correctness checks pass', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'caravan-bench-'));
    const out = join(dir, 'results.json');
    try {
      const root = projectRoot();
      const child = spawn(
        process.execPath,
        [
          join(root, 'node_modules', 'tsx', 'dist', 'cli.mjs'),
          join(root, 'tools', 'bench.ts'),
          '--events',
          '3000',
          '--peer-events',
          '1500',
          '--latency-seconds',
          '3',
          '--stream-subscribers',
          '50',
          '--out',
          out,
        ],
        {
          cwd: root,
          env: {
            PATH: process.env.PATH ?? '',
            HOME: process.env.HOME ?? '',
            KAFKA_BROKERS: testServices().kafkaBrokers.join(','),
            DATABASE_URL: testServices().databaseUrl,
          },
          stdio: ['ignore', 'pipe', 'pipe'],
        },
      );
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      const code = await new Promise<number | null>((resolve) => child.once('close', resolve));
      if (code !== 0) throw new Error(`bench exited ${code}:\n${output.slice(-4000)}`);
      const results = JSON.parse(readFileSync(out, 'utf8')) as {
        rows: Array<{ figure: string }>;
        checks: Array<{ name: string; ok: boolean }>;
        machine: { cpus: number };
      };
      const figures = results.rows.map((r) => r.figure).join('\n');
      for (const figure of [
        'Caravan end to end',
        'raw: kafkajs consume',
        'raw: JSON parse + zod',
        'raw: COPY',
        'rebuild',
        'latency',
        'scale: 2 ingestors',
        'KAFKA_COMPRESSION=zstd',
        'stream: 50 subscribers',
        'peer: emmett',
        'peer: tutorial',
        'peer: Kafka Streams',
      ]) {
        expect(figures).toContain(figure);
      }
      expect(results.checks.filter((c) => !c.ok)).toEqual([]);
      expect(results.checks.length).toBeGreaterThanOrEqual(6);
      expect(results.machine.cpus).toBeGreaterThan(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 600_000);
});
