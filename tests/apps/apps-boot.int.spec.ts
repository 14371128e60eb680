import type { DynamicModule, INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ConfigError, type EnvSource } from '@caravan/config';
import { readMigrations } from '@caravan/database';
import { ApiModule } from '../../apps/api/src/api.module';
import { IngestorModule } from '../../apps/ingestor/src/ingestor.module';
import { ProjectorModule } from '../../apps/projector/src/projector.module';
import { PublisherModule } from '../../apps/publisher/src/publisher.module';
import { appEnv, useTestDatabase } from '../harness';

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

  it('boots, migrates the database, registers itself and answers its probes', async () => {
    const { app, base } = await boot(root, appEnv(db().url));
    try {
      const live = await fetch(`${base}/health/live`);
      expect(live.status).toBe(200);
      expect(await live.json()).toMatchObject({ status: 'ok', app: name });

      const ready = await fetch(`${base}/health/ready`);
      const body = await ready.json();
      expect({ status: ready.status, body }).toMatchObject({
        status: 200,
        body: {
          status: 'ok',
          details: {
            database: { status: 'up' },
            migrations: { status: 'up', detail: `version ${readMigrations().length}` },
            kafka: { status: 'up' },
            projections: { status: 'up' },
          },
        },
      });
      const instances = await db().pool.query('SELECT app, pid FROM service_instances');
      expect(instances.rows).toEqual([{ app: name, pid: process.pid }]);
    } finally {
      await app.close();
    }
    const after = await db().pool.query('SELECT count(*)::int AS n FROM service_instances');
    expect(after.rows[0].n).toBe(0);
  });

  it('reports unready (503) while Kafka cannot be reached, and stays live', async () => {
    const { app, base } = await boot(root, appEnv(db().url, { KAFKA_BROKERS: '127.0.0.1:1' }));
    try {
      expect((await fetch(`${base}/health/live`)).status).toBe(200);
      const ready = await fetch(`${base}/health/ready`);
      expect(ready.status).toBe(503);
      expect(await ready.json()).toMatchObject({ status: 'error', error: { kafka: { status: 'down' } }, details: { database: { status: 'up' } } });
    } finally {
      await app.close();
    }
  });

  it('refuses to start on a bad configuration value, naming the variable', () => {
    expect(() => root.forRoot(appEnv(db().url, { HTTP_PORT: 'eighty' }))).toThrow(ConfigError);
    expect(() => root.forRoot(appEnv(db().url, { HTTP_PORT: 'eighty' }))).toThrow(/HTTP_PORT: /);
  });
});
