import { performance } from 'node:perf_hooks';
import { buildEvent, type KpiSnapshot, PROJECTION_NAMES } from '@caravan/contract';
import { EventProducer } from '@caravan/kafka';
import { projectionProgress } from '@caravan/event-store';
import {
  type ChildApp,
  configOf,
  createPipelineTopics,
  mixedStream,
  pipelineEnv,
  projectionLockHolders,
  produceStream,
  spawnApp,
  testKafka,
  useChildApps,
  useTestDatabase,
  waitFor,
  waitForConsumed,
} from '../harness';
import { expectedFromEvents, projected } from '@caravan/simulator';

describe('the pipeline as processes: ingestor, projectors, publisher (real Kafka and PostgreSQL)', () => {
  const db = useTestDatabase();
  const running = useChildApps('all');

  const lagOf = async () =>
    (await projectionProgress(db().pool, PROJECTION_NAMES)).reduce((n, p) => n + p.lagEvents, 0);
  /** The application (caravan-<app>-<process id>) of each session holding a projection's advisory lock. */
  const lockHolders = () => projectionLockHolders(db().pool);

  it('projects exactly once through a SIGKILLed projector, with one active instance at a time, and publishes snapshots', async () => {
    const env = pipelineEnv(db().url, {
      TOPIC_PARTITIONS: '3',
      LOG_LEVEL: 'warn',
      PROJECTOR_BATCH_SIZE: '40',
      PROJECTOR_STANDBY_MS: '300',
      SNAPSHOT_INTERVAL_MS: '200',
    });
    const config = configOf(env);
    await createPipelineTopics(config);
    const stream = mixedStream(15_000, 99);
    const producer = new EventProducer(testKafka(), config.topics);
    await producer.connect();
    try {
      await produceStream(producer, stream.records);
      running.push(spawnApp('ingestor', env));
      await waitForConsumed(db().pool, config.ingest.groupId, 15_000);

      // Two projectors: one active runner per projection across them, the other standing by.
      const projectors = [spawnApp('projector', env), spawnApp('projector', env)];
      running.push(...projectors);
      const holding = await waitFor(
        async () => {
          const { rows } = await db().pool.query(
            `SELECT coalesce(sum(events_applied), 0)::int AS n FROM projection_checkpoints WHERE name = 'bookings'`,
          );
          const holders = await lockHolders();
          return rows[0].n > 200 && holders.length === PROJECTION_NAMES.length ? holders : undefined;
        },
        { intervalMs: 5, what: 'projection under way' },
      );
      expect(await lagOf()).toBeGreaterThan(0);

      // Kill the instance holding the bookings projection, mid-batch; the other takes over and finishes.
      const victim = projectors.find((p) =>
        holding.includes(`caravan-projector-${p.process.pid}:bookings`),
      ) as ChildApp;
      const survivor = projectors.find((p) => p !== victim) as ChildApp;
      victim.process.kill('SIGKILL');
      await victim.exited;
      await waitFor(async () => (await lagOf()) === 0, {
        timeoutMs: 120_000,
        what: 'projections caught up after the kill',
      });
      const after = await lockHolders();
      expect(after).toEqual(PROJECTION_NAMES.map((name) => `caravan-projector-${survivor.process.pid}:${name}`));
      expect(await projected(db().pool)).toEqual(await expectedFromEvents(db().pool, config.timeZone));

      // The publisher, then one more event: the time until its snapshot is out.
      const publisher = spawnApp('publisher', env);
      running.push(publisher);
      await waitFor(async () => (await db().pool.query('SELECT count(*)::int AS n FROM kpi_latest')).rows[0].n > 0, {
        timeoutMs: 60_000,
        what: 'first snapshots',
      });
      const before = await db().pool.query<{ snapshot: KpiSnapshot }>(
        `SELECT snapshot FROM kpi_latest WHERE key = 'media_views|ytd|*'`,
      );
      const late = buildEvent.mediaViewsReported(
        { platform: 'douyin', campaign: 'visit-kz', market: 'CN', views: 1_000_003 },
        { occurredAt: '2024-12-30T10:00:00+05:00' },
      );
      const sent = performance.now();
      await producer.send([late]);
      const updated = await waitFor(
        async () => {
          const { rows } = await db().pool.query<{ snapshot: KpiSnapshot }>(
            `SELECT snapshot FROM kpi_latest WHERE key = 'media_views|ytd|*'`,
          );
          const s = rows[0]?.snapshot;
          return s && s.value !== before.rows[0]?.snapshot.value ? s : undefined;
        },
        { timeoutMs: 30_000, intervalMs: 20, what: 'the new event in a snapshot' },
      );
      const delayMs = performance.now() - sent;
      expect(updated.value).toBe(Number(before.rows[0]?.snapshot.value ?? 0) + 1_000_003);
      process.stderr.write(`[pipeline test] event-to-snapshot delay: ${Math.round(delayMs)} ms\n`);
    } finally {
      await producer.disconnect();
    }
  });
});
