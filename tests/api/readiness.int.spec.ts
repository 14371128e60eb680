import { createServer, type Server, type Socket, connect } from 'node:net';
import type { INestApplication } from '@nestjs/common';
import { buildEvent } from '@caravan/contract';
import { withDatabase, databaseNameOf } from '@caravan/database';
import { createApiApp } from '../../apps/api/src/api.app';
import { appEnv, projectAll, storeEvents, testServices, useTestDatabase, waitFor } from '../harness';

/** A TCP proxy to PostgreSQL that the test can cut and restore: PostgreSQL "stopped" for this app only. */
class CuttableProxy {
  private server: Server | undefined;
  private readonly sockets = new Set<Socket>();
  port = 0;
  constructor(private readonly target: { host: string; port: number }) {}

  async open(port = 0): Promise<void> {
    this.server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host);
      for (const s of [client, upstream]) {
        this.sockets.add(s);
        s.on('close', () => this.sockets.delete(s));
        s.on('error', () => s.destroy());
      }
      client.pipe(upstream).pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      this.server?.once('error', reject);
      this.server?.listen(port, '127.0.0.1', resolve);
    });
    this.port = (this.server.address() as { port: number }).port;
  }

  async cut(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()));
  }
}

describe('readiness (real PostgreSQL and Kafka)', () => {
  const db = useTestDatabase();
  let app: INestApplication;
  let proxy: CuttableProxy;
  let base: string;
  const ready = async () => {
    const response = await fetch(`${base}/health/ready`);
    return { status: response.status, body: (await response.json()) as { details: Record<string, { status: string; detail?: string }> } };
  };

  beforeAll(async () => {
    const server = new URL(testServices().databaseUrl);
    proxy = new CuttableProxy({ host: server.hostname, port: Number(server.port || 5432) });
    await proxy.open();
    const viaProxy = new URL(withDatabase(testServices().databaseUrl, databaseNameOf(db().url)));
    viaProxy.host = `127.0.0.1:${proxy.port}`;
    app = await createApiApp(appEnv(viaProxy.toString(), { READY_MAX_PROJECTION_LAG: '2', LOG_LEVEL: 'fatal' }));
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await proxy.cut();
  });

  it('turns unready while the projections lag beyond the bound, ready again once they catch up', async () => {
    expect((await ready()).status).toBe(200);
    const arrivals = Array.from({ length: 3 }, () => buildEvent.arrivalRecorded({ nationality: 'CN', port: 'khorgos', purpose: 'tourism', travelers: 1 }, { occurredAt: '2024-05-01T10:00:00Z' }));
    await storeEvents(db().pool, arrivals);
    const lagging = await ready();
    expect(lagging.status).toBe(503);
    expect(lagging.body.details.projections).toMatchObject({ status: 'down', detail: expect.stringMatching(/lags 3 events \(bound 2\)/) });
    await projectAll(db().pool, { timeZone: 'Asia/Almaty' });
    expect((await ready()).status).toBe(200);
  });

  it('turns unready while PostgreSQL cannot be reached, and stays live; ready again after', async () => {
    const port = proxy.port;
    await proxy.cut();
    const down = await waitFor(async () => {
      const r = await ready();
      return r.status === 503 ? r : undefined;
    }, { timeoutMs: 20_000, what: 'unready without PostgreSQL' });
    expect(down.body.details.database?.status).toBe('down');
    expect((await fetch(`${base}/health/live`)).status).toBe(200);
    await proxy.open(port);
    await waitFor(async () => (await ready()).status === 200, { timeoutMs: 30_000, what: 'ready again' });
  });
});
