import { buildEvent, PROJECTION_NAMES } from '@caravan/contract';
import { APPEND_LOCK, projectionProgress } from '@caravan/event-store';
import { EventProducer, type OutgoingEvent } from '@caravan/kafka';
import {
  advisoryLockHolders,
  type ChildApp,
  configOf,
  createPipelineTopics,
  mixedStream,
  pipelineEnv,
  projectionLockHolders,
  prng,
  produceStream,
  spawnApp,
  storeEvents,
  testKafka,
  totals,
  useChildApps,
  useTestDatabase,
  waitFor,
} from '../harness';
import { expectedFromEvents, projected } from '@caravan/simulator';

/**
 * A process frozen (SIGSTOP: what a VM pause or a long GC does) while it holds a lock that the
 * others need: PostgreSQL ends its session after DATABASE_IDLE_TIMEOUT_MS, its locks go, the
 * others go on; when it thaws, it finds its session gone and rejoins as one more instance.
 */
describe('frozen lock holders (SIGSTOP, real PostgreSQL and Kafka)', () => {
  const db = useTestDatabase();
  const running = useChildApps('each');

  const advisoryHolders = (key?: string): Promise<string[]> => advisoryLockHolders(db().pool, key);

  /**
   * Stops `apps`' holder of the lock at a moment it holds it (SIGSTOP, check, SIGCONT and again if it had just let
   * go).
   */
  async function freezeHolder(apps: ChildApp[], app: string, key?: string): Promise<ChildApp> {
    return waitFor(
      async () => {
        const holders = await advisoryHolders(key);
        // A projection's session is caravan-projector-<pid>:<projection> while it holds the lock.
        const holds = (names: string[], pid: number | undefined): boolean =>
          names.some((n) => n === `caravan-${app}-${pid}` || n.startsWith(`caravan-${app}-${pid}:`));
        const holder = apps.find((a) => holds(holders, a.process.pid));
        if (!holder) return undefined;
        holder.process.kill('SIGSTOP');
        if (holds(await advisoryHolders(key), holder.process.pid)) return holder;
        holder.process.kill('SIGCONT');
        return undefined;
      },
      { timeoutMs: 120_000, intervalMs: 5, what: `a ${app} frozen while it holds the lock` },
    );
  }

  it('ingests on while the ingestor holding the append lock is frozen, and exactly once after it thaws', async () => {
    const env = pipelineEnv(db().url, {
      TOPIC_PARTITIONS: '4',
      LOG_LEVEL: 'warn',
      DATABASE_IDLE_TIMEOUT_MS: '2000',
      PROJECTOR_IDLE_MS: '200',
    });
    const config = configOf(env);
    const group = config.ingest.groupId;
    await createPipelineTopics(config);
    const first = mixedStream(30_000, 1_301);
    const producer = new EventProducer(testKafka(), config.topics);
    await producer.connect();
    try {
      await produceStream(producer, first.records);
      const ingestors = [spawnApp('ingestor', env), spawnApp('ingestor', env)];
      running.push(...ingestors);
      await waitFor(async () => (await totals(db().pool, group)).all.consumed > 1_000, {
        timeoutMs: 120_000,
        what: 'ingest under way',
      });

      const frozen = await freezeHolder(ingestors, 'ingestor', APPEND_LOCK);
      // Everything gets in while it stays frozen: its session ends, its partitions move to the other.
      await waitFor(async () => (await totals(db().pool, group)).all.consumed === first.expected.consumed, {
        timeoutMs: 240_000,
        intervalMs: 200,
        what: 'every record ingested by the other ingestor',
      });
      expect(frozen.process.exitCode).toBeNull();
      expect(await advisoryHolders(APPEND_LOCK)).not.toContain(`caravan-ingestor-${frozen.process.pid}`);

      // Thawed, it finds its session gone, and both go on: the same records are never counted twice.
      frozen.process.kill('SIGCONT');
      const second = mixedStream(3_000, 1_302);
      await produceStream(producer, second.records);
      const expected = first.expected.consumed + second.expected.consumed;
      await waitFor(async () => (await totals(db().pool, group)).all.consumed === expected, {
        timeoutMs: 180_000,
        intervalMs: 200,
        what: 'the records after the thaw',
      });
      const { all, byTopic } = await totals(db().pool, group);
      expect(all.accepted).toBe(first.expected.accepted + second.expected.accepted);
      expect(all.duplicate).toBe(first.expected.duplicate + second.expected.duplicate);
      expect(all.rejected).toBe(first.expected.rejected + second.expected.rejected);
      for (const t of byTopic) expect(t.consumed).toBe(t.accepted + t.duplicate + t.rejected);
      const stored = await db().pool.query<{ n: number; ids: number }>(
        'SELECT count(*)::int AS n, count(DISTINCT event_id)::int AS ids FROM events',
      );
      expect(stored.rows[0]).toEqual({ n: all.accepted, ids: all.accepted });
      expect(frozen.process.exitCode).toBeNull();
    } finally {
      await producer.disconnect();
    }
  });

  it('a stand-by projector takes over the projections of a frozen one; thawed, it stands by and nothing is applied twice', async () => {
    const env = pipelineEnv(db().url, {
      LOG_LEVEL: 'warn',
      DATABASE_IDLE_TIMEOUT_MS: '2000',
      PROJECTOR_IDLE_MS: '200',
      PROJECTOR_STANDBY_MS: '300',
      PROJECTOR_BATCH_SIZE: '200',
    });
    const config = configOf(env);
    await storeEvents(db().pool, events(3_000, 7));
    const projectors = [spawnApp('projector', env), spawnApp('projector', env)];
    running.push(...projectors);
    const lag = async () =>
      (await projectionProgress(db().pool, PROJECTION_NAMES)).reduce((n, p) => n + p.lagEvents, 0);
    await waitFor(
      async () => (await projectionLockHolders(db().pool)).length === PROJECTION_NAMES.length && (await lag()) === 0,
      { timeoutMs: 120_000, what: 'projections caught up' },
    );

    // Frozen between batches, idle, holding the lock of at least one projection.
    const frozen = await freezeHolder(projectors, 'projector');
    const other = projectors.find((p) => p !== frozen) as ChildApp;
    await storeEvents(db().pool, events(2_000, 8));
    await waitFor(async () => (await lag()) === 0, {
      timeoutMs: 120_000,
      intervalMs: 100,
      what: 'the stand-by catching up while the leader is frozen',
    });
    expect(await projectionLockHolders(db().pool)).toEqual(
      PROJECTION_NAMES.map((name) => `caravan-projector-${other.process.pid}:${name}`),
    );

    frozen.process.kill('SIGCONT');
    await storeEvents(db().pool, events(1_000, 9));
    await waitFor(async () => (await lag()) === 0, {
      timeoutMs: 120_000,
      intervalMs: 100,
      what: 'caught up after the thaw',
    });
    expect(frozen.process.exitCode).toBeNull();
    expect(await projected(db().pool)).toEqual(await expectedFromEvents(db().pool, config.timeZone));
  });
});

/** `n` valid arrivals and media reports of 2024, from a seeded PRNG. */
function events(n: number, seed: number): OutgoingEvent[] {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const at = () => new Date(Date.UTC(2024, 0, 1) + Math.floor(random() * 365 * 86_400_000)).toISOString();
  return Array.from({ length: n }, (_, i) =>
    i % 3 === 0
      ? buildEvent.mediaViewsReported(
          {
            platform: pick(['douyin', 'weibo']),
            campaign: 'visit-kz',
            market: 'CN',
            views: 1 + Math.floor(random() * 10_000),
          },
          { occurredAt: at() },
        )
      : buildEvent.arrivalRecorded(
          {
            nationality: pick(['CN', 'KZ', 'RU']),
            port: pick(['ala-airport', 'khorgos']),
            purpose: 'tourism',
            travelers: 1 + Math.floor(random() * 4),
          },
          { occurredAt: at() },
        ),
  );
}
