import type { INestApplication } from '@nestjs/common';
import { buildEvent } from '@caravan/contract';
import { createClient, withDatabase, databaseNameOf } from '@caravan/database';
import { PIPELINE_REFRESH_DEADLINE_MS } from '@caravan/health';
import { createApiApp } from '../../apps/api/src/api.app';
import { appEnv, CuttableProxy, projectAll, storeEvents, testServices, useTestDatabase, waitFor } from '../harness';

describe('readiness (real PostgreSQL and Kafka)', () => {
  const db = useTestDatabase();
  let app: INestApplication;
  let proxy: CuttableProxy;
  let base: string;
  const ready = async () => {
    const response = await fetch(`${base}/health/ready`);
    return {
      status: response.status,
      body: (await response.json()) as { details: Record<string, { status: string; detail?: string }> },
    };
  };

  /** When /metrics says the pipeline-wide figures were last read from PostgreSQL (it must answer). */
  const refreshedAt = async () => {
    const response = await fetch(`${base}/metrics`);
    expect(response.status).toBe(200);
    const line = /^caravan_pipeline_metrics_refreshed_timestamp_seconds (\S+)$/m.exec(await response.text());
    if (!line) throw new Error('/metrics has no caravan_pipeline_metrics_refreshed_timestamp_seconds');
    return Number(line[1]);
  };

  beforeAll(async () => {
    const server = new URL(testServices().databaseUrl);
    proxy = new CuttableProxy({ host: server.hostname, port: Number(server.port || 5432) });
    await proxy.open();
    const viaProxy = new URL(withDatabase(testServices().databaseUrl, databaseNameOf(db().url)));
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    app = await createApiApp(appEnv(viaProxy.toString(), { LOG_LEVEL: 'fatal' }));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await proxy.cut();
  });

  it('stays ready while the projections lag, and says how far behind they are (information, not a failure)', async () => {
    await waitFor(async () => (await ready()).status === 200, { what: 'ready' });
    const arrivals = Array.from({ length: 3 }, () =>
      buildEvent.arrivalRecorded(
        { nationality: 'CN', port: 'khorgos', purpose: 'tourism', travelers: 1 },
        { occurredAt: '2024-05-01T10:00:00Z' },
      ),
    );
    await storeEvents(db().pool, arrivals);
    const lagging = await ready();
    expect(lagging.status).toBe(200);
    expect(lagging.body.details.projections).toEqual({
      status: 'up',
      detail: expect.stringMatching(/has 3 events to apply/),
    });
    // The api needs PostgreSQL only: no Kafka check.
    expect(lagging.body.details.kafka).toBeUndefined();
    await projectAll(db().pool, { timeZone: 'Asia/Almaty' });
    expect((await ready()).body.details.projections).toEqual({ status: 'up', detail: 'caught up' });
  });

  it('gives up its query on the server when PostgreSQL cannot answer in time: readiness polls never pile queries up', async () => {
    const locker = createClient({ connectionString: db().url, application_name: 'caravan-test-locker' });
    await locker.connect();
    const waiting = async () =>
      (
        await db().pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM pg_stat_activity
           WHERE datname = current_database() AND wait_event_type = 'Lock' AND application_name <> 'caravan-test-locker'`,
        )
      ).rows[0]?.n;
    try {
      // A migration, a VACUUM FULL or a slow server: the store cannot be read for a while.
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE events IN ACCESS EXCLUSIVE MODE');
      const blocked = await ready();
      expect(blocked.body.details.projections?.status).toBe('down');
      expect(blocked.body.details.database?.status).toBe('up');
      // Its query was cancelled, not left waiting for the lock while the next polls add theirs.
      expect(await waiting()).toBe(0);
    } finally {
      await locker.query('ROLLBACK').catch(() => undefined);
      await locker.end();
    }
    expect((await ready()).status).toBe(200);
  });

  it('answers /metrics within 5 s while PostgreSQL hangs, the time of the pipeline figures left as it was', async () => {
    const refreshedBefore = await refreshedAt();
    expect(refreshedBefore).toBeGreaterThan(0);
    proxy.freeze();
    try {
      const started = Date.now();
      expect(await refreshedAt()).toBe(refreshedBefore);
      expect(Date.now() - started).toBeLessThan(PIPELINE_REFRESH_DEADLINE_MS + 1_000);
    } finally {
      proxy.thaw();
    }
    await waitFor(async () => (await refreshedAt()) > refreshedBefore, { what: 'refreshed again' });
  });

  it('turns unready while PostgreSQL cannot be reached, and stays live; ready again after', async () => {
    const port = proxy.port;
    const refreshedBefore = await refreshedAt();
    expect(refreshedBefore).toBeGreaterThan(0);
    await proxy.cut();
    const down = await waitFor(
      async () => {
        const r = await ready();
        return r.status === 503 ? r : undefined;
      },
      { timeoutMs: 20_000, what: 'unready without PostgreSQL' },
    );
    expect(down.body.details.database?.status).toBe('down');
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    // /metrics still answers, its pipeline-wide figures frozen: the time they were read says so.
    expect(await refreshedAt()).toBe(refreshedBefore);
    await proxy.open(port);
    await waitFor(async () => (await ready()).status === 200, { timeoutMs: 30_000, what: 'ready again' });
    expect(await refreshedAt()).toBeGreaterThan(refreshedBefore);
  });
});
