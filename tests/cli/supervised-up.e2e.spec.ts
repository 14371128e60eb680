import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { APP_NAMES } from '@caravan/config';
import { appLogFile, isAlive, recordedApp, runningSupervisor } from '@caravan/stack';
import { freePortRun, pipelineEnv, runCli, useTestDatabase, waitFor } from '../harness';

const tail = (file: string): string =>
  existsSync(file) ? readFileSync(file, 'utf8').split('\n').slice(-60).join('\n') : '(no log)';

describe('caravan up under its supervisor (real PostgreSQL and Kafka, the apps as processes)', () => {
  const db = useTestDatabase();
  let stateDir: string;
  let env: Record<string, string>;
  beforeAll(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'caravan-supervised-'));
  });
  afterAll(async () => {
    // Whatever happened, nothing is left running.
    await runCli(['down'], env ?? {}, 120_000);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('restarts an app killed with -9, counts it in status, and down stops the supervisor and every app', async () => {
    // Four consecutive free ports: api, ingestor, projector, publisher.
    const base = await freePortRun(4);
    env = { ...pipelineEnv(db().url), CARAVAN_STATE_DIR: stateDir, LOG_LEVEL: 'warn' };
    const up = await runCli(['up', '--port-base', String(base), '--no-build'], env, 300_000);
    if (up.status !== 0) throw new Error(`caravan up exited ${up.status}:\n${up.stdout}\n${up.stderr}`);
    expect(up.stdout).toMatch(/supervisor started/);
    const supervisor = runningSupervisor(stateDir);
    expect(supervisor).toBeDefined();

    // kill -9 of the ingestor, as a crash at 3 a.m. would: it comes back by itself, ready.
    const before = recordedApp(stateDir, 'ingestor');
    expect(before).toBeDefined();
    process.kill(before?.pid as number, 'SIGKILL');
    const after = await waitFor(
      async () => {
        const record = recordedApp(stateDir, 'ingestor');
        if (!record || record.pid === before?.pid) return undefined;
        const ready = await fetch(`http://127.0.0.1:${record.port}/health/ready`).catch(() => undefined);
        return ready?.status === 200 ? record : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250, what: 'the ingestor restarted and ready' },
    );
    expect(after.port).toBe(before?.port);

    const status = await runCli(['status'], env, 120_000);
    expect(status.stdout).toMatch(new RegExp(`supervisor pid ${supervisor?.pid}`));
    // Restarted once: the new ingestor started at the first try (its log says why if it did not).
    if (!/ingestor .* restarted 1x \(last exit SIGKILL/.test(status.stdout))
      throw new Error(`${status.stdout}\ningestor log:\n${tail(appLogFile(stateDir, 'ingestor'))}`);
    for (const app of APP_NAMES) expect(status.stdout).toMatch(new RegExp(`${app}\\s+pid \\d+ .* ready`));
    // The lags, read from PostgreSQL and Kafka, beside the apps that work them off (no traffic: none).
    expect(status.stdout).toMatch(/ingestor .* ready, consumer lag 0 records/);
    expect(status.stdout).toMatch(
      /projector .* ready, projection lag arrivals_daily 0, bookings 0, media_daily 0, watermark 0 events/,
    );
    // Each app logged in as its least-privilege role (the local stack lets them: docs/security.md).
    const { rows } = await db().pool.query<{ app: string; usename: string }>(
      `SELECT DISTINCT substring(application_name from '^caravan-([a-z]+)-[0-9]+(?::[a-z_]+)?$') AS app, usename
       FROM pg_stat_activity WHERE datname = current_database()
         AND application_name ~ '^caravan-[a-z]+-[0-9]+(:[a-z_]+)?$'`,
    );
    expect(rows.filter((r) => APP_NAMES.includes(r.app as never)).sort((a, b) => a.app.localeCompare(b.app))).toEqual([
      { app: 'api', usename: 'caravan_admin' },
      { app: 'ingestor', usename: 'caravan_ingest' },
      { app: 'projector', usename: 'caravan_projector' },
      { app: 'publisher', usename: 'caravan_publisher' },
    ]);
    expect(status.stdout).toMatch(/event store: append-only as shipped/);
    // The same for scripts: one JSON object, the same exit code.
    const json = await runCli(['status', '--json'], env, 120_000);
    const report = JSON.parse(json.stdout) as {
      healthy: boolean;
      supervisor: { pid: number };
      apps: Array<{ app: string; state: string; restarts?: number; lastExit?: { signal: string } }>;
      store: { topics: unknown[] };
    };
    expect(json.status).toBe(status.status);
    expect(report.supervisor.pid).toBe(supervisor?.pid);
    expect(report.apps.map((a) => [a.app, a.state])).toEqual(APP_NAMES.map((app) => [app, 'ready']));
    expect(report.apps.find((a) => a.app === 'ingestor')).toMatchObject({
      restarts: 1,
      lastExit: { signal: 'SIGKILL' },
      consumerLagRecords: 0,
    });
    expect(report.apps.find((a) => a.app === 'projector')).toMatchObject({
      projectionLagEvents: { arrivals_daily: 0, bookings: 0, media_daily: 0, watermark: 0 },
    });
    expect(Array.isArray(report.store.topics)).toBe(true);

    const down = await runCli(['down'], env, 120_000);
    expect(down.status).toBe(0);
    expect(down.stdout).toMatch(/supervisor and its apps stopped/);
    expect(isAlive(supervisor?.pid as number)).toBe(false);
    expect(isAlive(after.pid)).toBe(false);
    for (const app of APP_NAMES) expect(recordedApp(stateDir, app)).toBeUndefined();
  });
});
