import { buildEvent, type KpiSnapshot } from '@caravan/contract';
import type { OutgoingEvent } from '@caravan/kafka';
import { PUBLISHER_LOCK } from '@caravan/publisher';
import {
  advisoryLockHolders,
  type ChildApp,
  configOf,
  CuttableProxy,
  freePort,
  pipelineEnv,
  prng,
  projectAll,
  readTopic,
  spawnApp,
  storeEvents,
  testServices,
  useChildApps,
  useTestDatabase,
  waitFor,
} from '../harness';

/**
 * One publisher leads (a rolling deploy runs two): the other stands by and takes over when the
 * leader is killed or frozen; kpi_latest never goes back to a lower position meanwhile.
 */
describe('the publisher: one leader, stand-bys, Kafka away at start (real PostgreSQL and Kafka)', () => {
  const db = useTestDatabase();
  const running = useChildApps('each');

  const holder = async (): Promise<string | undefined> => (await advisoryLockHolders(db().pool, PUBLISHER_LOCK))[0];
  const head = async () =>
    Number(
      (await db().pool.query<{ head: string | null }>('SELECT max(position)::text AS head FROM events')).rows[0]
        ?.head ?? 0,
    );
  const latestAt = async (position: number) =>
    (await db().pool.query<{ snapshot: KpiSnapshot }>(`SELECT snapshot FROM kpi_latest WHERE key = 'arrivals|ytd|*'`))
      .rows[0]?.snapshot.position === position;
  const readiness = async (port: number) =>
    (await (await fetch(`http://127.0.0.1:${port}/health/ready`)).json()) as {
      details: Record<string, { detail?: string }>;
    };
  let seed = 1;
  const addEvents = async (n: number) => {
    await storeEvents(db().pool, arrivals(n, seed++));
    await projectAll(db().pool, { timeZone: 'Asia/Almaty' });
    return head();
  };

  it('hands over on kill -9 and on a freeze of the leader; a thawed leader stands by; kpi_latest never goes back', async () => {
    const env = pipelineEnv(db().url, {
      SNAPSHOT_INTERVAL_MS: '200',
      PROJECTOR_STANDBY_MS: '300',
      PROJECTOR_IDLE_MS: '200',
      DATABASE_IDLE_TIMEOUT_MS: '2000',
    });
    await addEvents(500);
    const ports = [await freePort(), await freePort(), await freePort()];
    const start = (i: number) => {
      const app = spawnApp('publisher', { ...env, HTTP_PORT: String(ports[i]) });
      running.push(app);
      return app;
    };
    const publishers = [start(0), start(1)];
    const leaderOf = async (apps: ChildApp[]) => {
      const name = await holder();
      return apps.find((a) => name === `caravan-publisher-${a.process.pid}`);
    };

    // kpi_latest watched all along: a key's position never goes down.
    const seen = new Map<string, number>();
    const wentBack: string[] = [];
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        const { rows } = await db().pool.query<{ key: string; position: string }>(
          'SELECT key, position::text FROM kpi_latest',
        );
        for (const r of rows) {
          if (Number(r.position) < (seen.get(r.key) ?? 0))
            wentBack.push(`${r.key}: ${seen.get(r.key)} -> ${r.position}`);
          seen.set(r.key, Number(r.position));
        }
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    })();

    try {
      const first = await waitFor(() => leaderOf(publishers), { timeoutMs: 60_000, what: 'a leader' });
      await waitFor(async () => latestAt(await head()), { timeoutMs: 60_000, what: 'snapshots at the head' });
      const standby = publishers.find((p) => p !== first) as ChildApp;
      await waitFor(
        async () =>
          (await readiness(ports[publishers.indexOf(standby)] as number)).details.publisher?.detail?.startsWith(
            'standing by',
          ),
        { what: 'the stand-by says so' },
      );
      expect((await readiness(ports[publishers.indexOf(first)] as number)).details.publisher?.detail).toBe('leading');

      // Killed: the stand-by leads and publishes what comes next.
      first.process.kill('SIGKILL');
      await first.exited;
      await waitFor(async () => (await leaderOf(publishers)) === standby, {
        timeoutMs: 60_000,
        what: 'the stand-by leading',
      });
      let at = await addEvents(300);
      await waitFor(() => latestAt(at), { timeoutMs: 60_000, what: 'the new leader publishing' });

      // A new stand-by; the leader frozen (between runs): its session ends, the stand-by leads.
      const third = start(2);
      await waitFor(
        async () => (await readiness(ports[2] as number)).details.publisher?.detail?.startsWith('standing by'),
        { timeoutMs: 60_000, what: 'a third publisher standing by' },
      );
      standby.process.kill('SIGSTOP');
      await waitFor(async () => (await leaderOf([third])) === third, {
        timeoutMs: 60_000,
        what: 'the third leading while the leader is frozen',
      });
      at = await addEvents(300);
      await waitFor(() => latestAt(at), { timeoutMs: 60_000, what: 'the third publishing' });

      // Thawed, the old leader finds its session gone and stands by; only the third publishes.
      standby.process.kill('SIGCONT');
      await waitFor(
        async () =>
          (await readiness(ports[publishers.indexOf(standby)] as number)).details.publisher?.detail?.startsWith(
            'standing by',
          ),
        { timeoutMs: 60_000, what: 'the thawed one standing by' },
      );
      at = await addEvents(300);
      await waitFor(() => latestAt(at), { timeoutMs: 60_000, what: 'publishing after the thaw' });
      expect(await leaderOf([standby, third])).toBe(third);
      expect(standby.process.exitCode).toBeNull();
    } finally {
      watching = false;
      await watcher;
    }
    expect(wentBack).toEqual([]);
    expect(seen.size).toBeGreaterThan(0);
  });

  it('started while Kafka cannot be reached, publishes once it can (it never gives up)', async () => {
    const [broker] = testServices().kafkaBrokers;
    const [host, port] = (broker as string).split(':');
    const proxy = new CuttableProxy({ host: host as string, port: Number(port) });
    await proxy.open();
    const proxyPort = proxy.port;
    await proxy.cut();
    const env = pipelineEnv(db().url, { SNAPSHOT_INTERVAL_MS: '200', KAFKA_BROKERS: `127.0.0.1:${proxyPort}` });
    const config = configOf(env);
    const at = await addEvents(200);
    const httpPort = await freePort();
    const publisher = spawnApp('publisher', { ...env, HTTP_PORT: String(httpPort) });
    running.push(publisher);
    try {
      const down = await waitFor(
        async () => {
          const r = await fetch(`http://127.0.0.1:${httpPort}/health/ready`).catch(() => undefined);
          return r?.status === 503 ? ((await r.json()) as { error: Record<string, unknown> }) : undefined;
        },
        { timeoutMs: 60_000, what: 'unready without Kafka' },
      );
      expect(down.error.kafka).toBeDefined();
      // Longer than the old publisher's ~30-40 s before it gave up for good.
      await new Promise((resolve) => setTimeout(resolve, 45_000));
      expect(publisher.process.exitCode).toBeNull();
      await proxy.open(proxyPort);
      await waitFor(() => latestAt(at), { timeoutMs: 120_000, what: 'published once Kafka answers' });
      const messages = await readTopic(config.topics.snapshots, 1);
      expect(messages.length).toBeGreaterThan(0);
      await waitFor(async () => (await fetch(`http://127.0.0.1:${httpPort}/health/ready`)).status === 200, {
        timeoutMs: 60_000,
        what: 'ready',
      });
    } finally {
      await proxy.cut();
    }
  });
});

/** `n` valid arrivals of 2024, from a seeded PRNG. */
function arrivals(n: number, seed: number): OutgoingEvent[] {
  const random = prng(seed);
  return Array.from({ length: n }, () =>
    buildEvent.arrivalRecorded(
      {
        nationality: random() < 0.5 ? 'CN' : 'KZ',
        port: 'ala-airport',
        purpose: 'tourism',
        travelers: 1 + Math.floor(random() * 3),
      },
      { occurredAt: new Date(Date.UTC(2024, 0, 1) + Math.floor(random() * 360 * 86_400_000)).toISOString() },
    ),
  );
}
