import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isAlive } from '@caravan/stack';
import { pipelineEnv, spawnCli, useTestDatabase, waitFor } from '../harness';

const SHOWS_VALUE_WITHIN_MS = 120_000;

describe('npm run demo (smoke): started in the background, shows KPIs, stops cleanly on Ctrl-C', () => {
  const db = useTestDatabase();

  it('shows a snapshot with a value above zero, then leaves no process behind', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'caravan-demo-'));
    const portBase = 20_000 + Math.floor(Math.random() * 20_000);
    const env = pipelineEnv(db().url, { CARAVAN_STATE_DIR: stateDir, SNAPSHOT_INTERVAL_MS: '300', LOG_LEVEL: 'info' });
    delete env.HTTP_PORT;
    const demo = spawnCli(
      ['demo', '--history', '300', '--rate', '40', '--port-base', String(portBase), '--no-build', '--window', '1d'],
      env,
    );
    const exited = new Promise<number | null>((resolve) => demo.once('close', (code) => resolve(code)));
    try {
      const started = Date.now();
      // A table row of the terminal view: kpi, window 1d, the whole market, a value above zero.
      await waitFor(() => /^(arrivals|bookings|media_views)\s+1d\s+\*\s+[1-9][\d,]*\s/m.test(demo.output.stdout), {
        timeoutMs: SHOWS_VALUE_WITHIN_MS,
        intervalMs: 200,
        what: `a KPI above zero in the demo's output:\n${demo.output.stdout}\n${demo.output.stderr}`,
      });
      process.stdout.write(
        `demo showed a KPI above zero ${((Date.now() - started) / 1000).toFixed(1)} s after it was started\n`,
      );
      expect(demo.output.stdout).toContain(`API: http://127.0.0.1:${portBase}/v1/kpis`);
      expect(demo.output.stdout).toContain(`docs: http://127.0.0.1:${portBase}/docs`);
      expect(demo.output.stdout).toMatch(/metrics: http:\/\/127\.0\.0\.1:\d+\/metrics/);
      const pids = [...demo.output.stdout.matchAll(/ready at \S+ \(pid (\d+),/g)].map((m) => Number(m[1]));
      expect(pids).toHaveLength(4);

      demo.kill('SIGINT');
      expect(await exited).toBe(0);
      expect(demo.output.stdout).toContain('demo stopped: nothing it started is left running');
      expect(pids.filter(isAlive)).toEqual([]);
    } finally {
      if (demo.exitCode === null) demo.kill('SIGKILL');
      rmSync(stateDir, { recursive: true, force: true });
    }
  }, 240_000);
});
