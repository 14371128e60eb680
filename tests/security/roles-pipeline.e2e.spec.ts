import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { PROJECTION_NAMES } from '@caravan/contract';
import { createClient, DATABASE_ROLES, quoteIdentifier, withDatabase } from '@caravan/database';
import { projectionProgress } from '@caravan/event-store';
import { expectedFromEvents, projected } from '@caravan/simulator';
import {
  configOf,
  createPipelineTopics,
  freePort,
  mixedStream,
  pipelineEnv,
  produceStreamOnce,
  spawnApp,
  testKafka,
  testServices,
  useChildApps,
  useTestDatabase,
  waitFor,
  waitForConsumed,
} from '../harness';

const TOKEN = 'roles-pipeline-token-0123456789';

/**
 * The whole pipeline with each app logged in as a user of its least-privilege role (the way a
 * deployment runs it), migrated beforehand by the owner: records in, rejections to the DLQ,
 * projections, snapshots, the api's queries, a rebuild and a replay, all without one privilege
 * more than migration 0018 grants.
 */
describe('the pipeline under least-privilege roles (processes, real Kafka and PostgreSQL)', () => {
  const db = useTestDatabase();
  const running = useChildApps('all');
  // Named after the run: global teardown drops what a crashed test left.
  const suffix = `${testServices().runId}_${randomBytes(3).toString('hex')}`;
  // One login user per app (and one for the api's admin side), member of its group role.
  const users = {
    ingestor: [`caravan_t_${suffix}_ingestor`, DATABASE_ROLES.ingest],
    projector: [`caravan_t_${suffix}_projector`, DATABASE_ROLES.projector],
    publisher: [`caravan_t_${suffix}_publisher`, DATABASE_ROLES.publisher],
    api: [`caravan_t_${suffix}_api`, DATABASE_ROLES.api],
    admin: [`caravan_t_${suffix}_admin`, DATABASE_ROLES.admin],
  } as const;
  const urlAs = (user: string) => {
    const url = new URL(db().url);
    url.username = user;
    return url.toString();
  };

  beforeAll(async () => {
    for (const [user, role] of Object.values(users))
      await db().pool.query(`CREATE ROLE ${quoteIdentifier(user)} LOGIN IN ROLE ${role}`);
  });
  afterAll(async () => {
    for (const app of running) app.process.kill('SIGKILL');
    await Promise.all(running.map((app) => app.exited));
    // On a connection of its own: the test database (and its pool) may be gone by now.
    const admin = createClient({ connectionString: withDatabase(testServices().databaseUrl, 'postgres') });
    await admin.connect();
    try {
      for (const [user] of Object.values(users)) await admin.query(`DROP ROLE IF EXISTS ${quoteIdentifier(user)}`);
    } finally {
      await admin.end();
    }
  });

  it('ingests, projects, publishes, answers, rebuilds and replays with each app in its own role', async () => {
    const ports = { ingestor: await freePort(), projector: await freePort(), publisher: await freePort() };
    const apiPort = await freePort();
    const env = pipelineEnv(db().url, {
      LOG_LEVEL: 'warn',
      ADMIN_TOKEN: TOKEN,
      SNAPSHOT_INTERVAL_MS: '200',
      PROJECTOR_STANDBY_MS: '300',
      INGESTOR_DATABASE_URL: urlAs(users.ingestor[0]),
      PROJECTOR_DATABASE_URL: urlAs(users.projector[0]),
      PUBLISHER_DATABASE_URL: urlAs(users.publisher[0]),
      API_DATABASE_URL: urlAs(users.api[0]),
      API_ADMIN_DATABASE_URL: urlAs(users.admin[0]),
    });
    const config = configOf(env);
    await createPipelineTopics(config);
    const stream = mixedStream(3_000, 17);
    await produceStreamOnce(testKafka(), config.topics, stream.records);
    for (const [app, port] of Object.entries(ports))
      running.push(spawnApp(app as 'ingestor', { ...env, HTTP_PORT: String(port) }));
    running.push(spawnApp('api', { ...env, HTTP_PORT: String(apiPort) }));
    const api = `http://127.0.0.1:${apiPort}`;
    const admin = { authorization: `Bearer ${TOKEN}` };

    // Everything consumed is accepted, a duplicate or rejected; the projections equal SQL over the store.
    await waitForConsumed(db().pool, config.ingest.groupId, stream.records.length);
    await waitFor(async () => (await projectionProgress(db().pool, PROJECTION_NAMES)).every((p) => p.lagEvents === 0), {
      timeoutMs: 120_000,
      what: 'projections caught up',
    });
    expect(await projected(db().pool)).toEqual(await expectedFromEvents(db().pool, config.timeZone));
    await waitFor(async () => (await fetch(`${api}/health/ready`)).status === 200, { what: 'the api ready' });
    const kpis = (await (await fetch(`${api}/v1/kpis?kpi=arrivals&window=ytd&wholeMarket=true`)).json()) as {
      items: unknown[];
    };
    await waitFor(
      async () => ((await (await fetch(`${api}/v1/kpis`)).json()) as { total: number }).total > 0 || undefined,
      { what: 'snapshots published and served' },
    );
    expect(Array.isArray(kpis.items)).toBe(true);
    // The read-only status of the dashboard's health strip, from the api's query role.
    const pipeline = await fetch(`${api}/v1/pipeline`);
    expect(pipeline.status).toBe(200);
    expect(((await pipeline.json()) as { totals: { consumed: number } }).totals.consumed).toBe(stream.records.length);
    const rejections = await fetch(`${api}/v1/admin/rejections`, { headers: admin });
    expect(rejections.status).toBe(200);
    expect(((await rejections.json()) as { total: number }).total).toBeGreaterThan(0);

    // A rebuild, executed by the projector under its role (DDL of its own tables, the swap).
    const asked = await fetch(`${api}/v1/admin/projections/bookings/rebuild`, { method: 'POST', headers: admin });
    expect(asked.status).toBe(202);
    const { id } = (await asked.json()) as { id: string };
    const rebuilt = await waitFor(
      async () => {
        const job = (await (await fetch(`${api}/v1/admin/rebuilds/${id}`, { headers: admin })).json()) as {
          status: string;
          report?: { differences: unknown[]; swapped: boolean };
        };
        return job.status === 'done' || job.status === 'failed' ? job : undefined;
      },
      { timeoutMs: 120_000, what: 'the rebuild done' },
    );
    expect(rebuilt).toMatchObject({ status: 'done', report: { differences: [], swapped: true } });

    // A replay, executed by the ingestor under its role.
    const replay = await fetch(`${api}/v1/admin/rejections/replay`, {
      method: 'POST',
      headers: { ...admin, 'content-type': 'application/json' },
      body: JSON.stringify({ limit: 50 }),
    });
    expect([200, 202]).toContain(replay.status);

    // The metrics say the store is as shipped; every app's sessions ran as its user, none as a superuser.
    const metrics = await (await fetch(`${api}/metrics`)).text();
    expect(metrics).toMatch(/^caravan_event_store_append_only 1$/m);
    const { rows } = await db().pool.query<{ usename: string; application_name: string }>(
      `SELECT DISTINCT usename, regexp_replace(application_name, '-[0-9]+(:[a-z_]+)?$', '') AS application_name
       FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE 'caravan-%'
         AND application_name NOT LIKE 'caravan-test%'`,
    );
    const sessions = rows.map((r) => `${r.application_name} ${r.usename}`).sort();
    expect(sessions).toEqual(
      expect.arrayContaining([
        `caravan-ingestor ${users.ingestor[0]}`,
        `caravan-projector ${users.projector[0]}`,
        `caravan-publisher ${users.publisher[0]}`,
        `caravan-api ${users.admin[0]}`,
      ]),
    );
    expect(sessions.every((s) => !s.endsWith(' postgres'))).toBe(true);
    // No privilege was missing anywhere along the way.
    for (const app of running)
      expect([app.app, readFileSync(app.logFile, 'utf8')]).not.toEqual([
        app.app,
        expect.stringMatching(/permission denied/),
      ]);
  });
});
