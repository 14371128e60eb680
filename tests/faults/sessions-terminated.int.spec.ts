import { readFileSync } from 'node:fs';
import { type KpiSnapshot, PROJECTION_NAMES } from '@caravan/contract';
import { EventProducer } from '@caravan/kafka';
import { projectionProgress } from '@caravan/event-store';
import {
  type ChildApp,
  configOf,
  createPipelineTopics,
  freePort,
  mixedStream,
  pipelineEnv,
  produceStream,
  spawnApp,
  testKafka,
  totals,
  useChildApps,
  useTestDatabase,
  waitFor,
} from '../harness';

/**
 * What a PostgreSQL restart or failover does to the apps, done to every session of the pipeline's
 * database at once (pg_terminate_backend), twice: no app dies, each resumes by itself (its
 * LISTEN connection included), and everything produced before, between and after is ingested
 * once, projected and published.
 */
describe('every app session terminated (pg_terminate_backend; real PostgreSQL and Kafka)', () => {
  const db = useTestDatabase();
  const running = useChildApps('all');

  /** Ends every session on the test database but the test's own; how many it ended. */
  const terminateAll = async (): Promise<number> => {
    const { rows } = await db().pool.query<{ n: number }>(
      `SELECT count(*) FILTER (WHERE pg_terminate_backend(pid))::int AS n FROM pg_stat_activity
       WHERE datname = current_database() AND pid <> pg_backend_pid()
         AND application_name LIKE 'caravan-%' AND application_name <> 'caravan-test'`,
    );
    return rows[0]?.n ?? 0;
  };
  const listening = async (app: string): Promise<boolean> =>
    (
      await db().pool.query(
        `SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND application_name LIKE $1`,
        [`caravan-${app}-listen%`],
      )
    ).rowCount === 1;
  const metric = async (port: number, name: string): Promise<string | undefined> => {
    const text = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
    return text
      .split('\n')
      .find((line) => line.startsWith(name))
      ?.split(' ')
      .pop();
  };

  it('no app dies, each resumes by itself, and every record is ingested once, projected and published', async () => {
    const ports = {
      ingestor: await freePort(),
      projector: await freePort(),
      publisher: await freePort(),
      api: await freePort(),
    };
    const env = pipelineEnv(db().url, { LOG_LEVEL: 'info', SNAPSHOT_INTERVAL_MS: '300', PROJECTOR_STANDBY_MS: '300' });
    const config = configOf(env);
    const group = config.ingest.groupId;
    await createPipelineTopics(config);
    const apps = Object.fromEntries(
      (Object.keys(ports) as Array<keyof typeof ports>).map((name) => [
        name,
        spawnApp(name, { ...env, HTTP_PORT: String(ports[name]) }),
      ]),
    ) as Record<keyof typeof ports, ChildApp>;
    running.push(...Object.values(apps));
    const producer = new EventProducer(testKafka(), config.topics);
    await producer.connect();
    const streams = [mixedStream(4_000, 4_101), mixedStream(4_000, 4_102), mixedStream(4_000, 4_103)];
    let produced = 0;
    try {
      // Every app up, and an SSE client of the api, so that its LISTEN connection exists.
      for (const port of Object.values(ports)) {
        await waitFor(
          async () => (await fetch(`http://127.0.0.1:${port}/health/live`).catch(() => undefined))?.status === 200,
          { timeoutMs: 120_000, what: `the app on port ${port} up` },
        );
      }
      const stream = new AbortController();
      void fetch(`http://127.0.0.1:${ports.api}/v1/kpis/stream`, { signal: stream.signal })
        .then((r) => r.body?.getReader().read())
        .catch(() => undefined);
      await waitFor(() => listening('api'), { timeoutMs: 60_000, what: 'the api listening for snapshots' });
      for (const [round, records] of streams.entries()) {
        await produceStream(producer, records.records);
        produced += records.expected.consumed;
        // Terminated while the records are in flight, then again once they are in.
        await waitFor(
          async () => (await totals(db().pool, group)).all.consumed > produced - records.expected.consumed,
          { timeoutMs: 120_000, what: `round ${round} under way` },
        );
        expect(await terminateAll()).toBeGreaterThan(0);
        await waitFor(async () => (await totals(db().pool, group)).all.consumed === produced, {
          timeoutMs: 180_000,
          intervalMs: 200,
          what: `round ${round} ingested`,
        });
        await waitFor(async () => (await listening('projector')) && (await listening('api')), {
          timeoutMs: 60_000,
          what: 'the LISTEN connections back',
        });
        expect(await terminateAll()).toBeGreaterThan(0);
      }
      stream.abort();

      // Every app alive, every LISTEN connection back and said so in metrics.
      for (const app of Object.values(apps)) expect(app.process.exitCode).toBeNull();
      await waitFor(
        async () =>
          (await metric(ports.projector, 'caravan_database_listen_connected{channel="caravan_events"}')) === '1',
        { timeoutMs: 60_000, what: 'projector LISTEN up in metrics' },
      );
      await waitFor(
        async () => (await metric(ports.api, 'caravan_database_listen_connected{channel="caravan_snapshots"}')) === '1',
        { timeoutMs: 60_000, what: 'api LISTEN up in metrics' },
      );

      // Counted once, projected, published at the head.
      const { all, byTopic } = await totals(db().pool, group);
      const expected = streams.reduce(
        (sum, s) => ({
          accepted: sum.accepted + s.expected.accepted,
          duplicate: sum.duplicate + s.expected.duplicate,
          rejected: sum.rejected + s.expected.rejected,
        }),
        { accepted: 0, duplicate: 0, rejected: 0 },
      );
      expect({ accepted: all.accepted, duplicate: all.duplicate, rejected: all.rejected }).toEqual(expected);
      for (const t of byTopic) expect(t.consumed).toBe(t.accepted + t.duplicate + t.rejected);
      const stored = await db().pool.query<{ n: number; head: string }>(
        'SELECT count(DISTINCT event_id)::int AS n, max(position)::text AS head FROM events',
      );
      expect(stored.rows[0]?.n).toBe(expected.accepted);
      await waitFor(
        async () => (await projectionProgress(db().pool, PROJECTION_NAMES)).every((p) => p.lagEvents === 0),
        { timeoutMs: 120_000, what: 'projections caught up' },
      );
      await waitFor(
        async () => {
          const { rows } = await db().pool.query<{ snapshot: KpiSnapshot }>(
            `SELECT snapshot FROM kpi_latest WHERE key = 'arrivals|ytd|*'`,
          );
          return rows[0] && BigInt(rows[0].snapshot.position) >= BigInt(stored.rows[0]?.head ?? '0');
        },
        { timeoutMs: 120_000, what: 'a snapshot at the head' },
      );
      for (const app of Object.values(apps)) {
        const log = readFileSync(app.logFile, 'utf8');
        expect(log).not.toMatch(/Unhandled 'error' event|uncaughtException|start-up failed/);
      }
    } finally {
      await producer.disconnect();
    }
  });
});
