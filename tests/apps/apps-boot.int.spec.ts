import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, type EnvSource } from '@caravan/config';
import { currentSchemaVersion, readMigrations } from '@caravan/database';
import { ApiModule } from '../../apps/api/src/api.module';
import { IngestorModule } from '../../apps/ingestor/src/ingestor.module';
import { ProjectorModule } from '../../apps/projector/src/projector.module';
import { PublisherModule } from '../../apps/publisher/src/publisher.module';
import { appEnv, CuttableProxy, testServices, useTestDatabase, waitFor } from '../harness';

/** The apps whose job needs Kafka: their readiness includes it. */
const NEEDS_KAFKA = new Set(['ingestor', 'publisher']);

type RootModule = { forRoot(env?: EnvSource): DynamicModule };
const APPS: Array<[string, RootModule]> = [
  ['ingestor', IngestorModule],
  ['projector', ProjectorModule],
  ['publisher', PublisherModule],
  ['api', ApiModule],
];

async function boot(root: RootModule, env: EnvSource): Promise<{ app: INestApplication; base: string }> {
  const app = await NestFactory.create(root.forRoot(env), { logger: ['error'] });
  await app.listen(0, '127.0.0.1');
  const address = app.getHttpServer().address() as { port: number };
  return { app, base: `http://127.0.0.1:${address.port}` };
}

describe.each(APPS)('the %s app (real Kafka and PostgreSQL)', (name, root) => {
  const db = useTestDatabase({ migrate: false });

  it('boots, migrates the database and answers its probes', async () => {
    const { app, base } = await boot(root, appEnv(db().url));
    try {
      const live = await fetch(`${base}/health/live`);
      expect(live.status).toBe(200);
      expect(await live.json()).toMatchObject({ status: 'ok', app: name });

      // Migrations run in the background: the probes answer from the start.
      const body = await waitFor(
        async () => {
          const ready = await fetch(`${base}/health/ready`);
          return ready.status === 200 ? ((await ready.json()) as { details: Record<string, unknown> }) : undefined;
        },
        { timeoutMs: 60_000, what: 'ready' },
      );
      expect(body).toMatchObject({
        status: 'ok',
        details: {
          database: { status: 'up' },
          migrations: { status: 'up', detail: `version ${readMigrations().length}` },
          projections: { status: 'up' },
          ...(NEEDS_KAFKA.has(name) ? { kafka: { status: 'up' } } : {}),
        },
      });
      if (!NEEDS_KAFKA.has(name)) expect(body.details.kafka).toBeUndefined();
    } finally {
      await app.close();
    }
  });

  it(
    NEEDS_KAFKA.has(name)
      ? 'reports unready (503) while Kafka cannot be reached, and stays live'
      : 'stays ready while Kafka cannot be reached (it does not need it)',
    async () => {
      const { app, base } = await boot(root, appEnv(db().url, { KAFKA_BROKERS: '127.0.0.1:1' }));
      try {
        expect((await fetch(`${base}/health/live`)).status).toBe(200);
        const ready = await waitFor(
          async () => {
            const r = await fetch(`${base}/health/ready`);
            const body = (await r.json()) as { details?: Record<string, { status?: string }> };
            return body.details?.database?.status === 'up' && body.details?.migrations?.status === 'up'
              ? { status: r.status, body }
              : undefined;
          },
          { timeoutMs: 60_000, what: 'the database ready' },
        );
        if (NEEDS_KAFKA.has(name)) {
          expect(ready).toMatchObject({
            status: 503,
            body: { status: 'error', error: { kafka: { status: 'down' } }, details: { database: { status: 'up' } } },
          });
        } else {
          expect(ready).toMatchObject({ status: 200, body: { status: 'ok' } });
        }
      } finally {
        await app.close();
      }
    },
  );

  it('starts while PostgreSQL is away: live and unready, then migrates and turns ready once it answers', async () => {
    const server = new URL(testServices().databaseUrl);
    const proxy = new CuttableProxy({ host: server.hostname, port: Number(server.port || 5432) });
    await proxy.open();
    const port = proxy.port;
    await proxy.cut();
    const viaProxy = new URL(db().url);
    viaProxy.host = `127.0.0.1:${port}`;
    const { app, base } = await boot(root, appEnv(viaProxy.toString()));
    try {
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      const down = await fetch(`${base}/health/ready`);
      expect(down.status).toBe(503);
      expect(await down.json()).toMatchObject({ error: { database: { status: 'down' } } });
      await proxy.open(port);
      await waitFor(async () => (await fetch(`${base}/health/ready`)).status === 200, {
        timeoutMs: 60_000,
        what: 'ready once PostgreSQL answers',
      });
      expect(await currentSchemaVersion(db().pool)).toBe(readMigrations().length);
    } finally {
      await app.close();
      await proxy.cut();
    }
  });

  it('refuses to start on a bad configuration value, naming the variable', () => {
    expect(() => root.forRoot(appEnv(db().url, { HTTP_PORT: 'eighty' }))).toThrow(ConfigError);
    expect(() => root.forRoot(appEnv(db().url, { HTTP_PORT: 'eighty' }))).toThrow(/HTTP_PORT: /);
  });
});
