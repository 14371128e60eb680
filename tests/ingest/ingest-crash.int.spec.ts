import {
  type ChildApp,
  configOf,
  createPipelineTopics,
  mixedStream,
  pipelineEnv,
  produceStreamOnce,
  spawnApp,
  stopApp,
  testKafka,
  totals,
  useTestDatabase,
  waitFor,
  waitForConsumed,
} from '../harness';

describe('exactly once through crashes and shared partitions (real Kafka, PostgreSQL and ingestor processes)', () => {
  const db = useTestDatabase();
  const running: ChildApp[] = [];
  afterEach(async () => {
    await Promise.all(running.splice(0).map((app) => stopApp(app, 'SIGKILL')));
  });

  async function setUp(records: number, seed: number) {
    const env = pipelineEnv(db().url, { TOPIC_PARTITIONS: '6', LOG_LEVEL: 'warn' });
    const config = configOf(env);
    await createPipelineTopics(config);
    const stream = mixedStream(records, seed);
    await produceStreamOnce(testKafka(), config.topics, stream.records);
    return { env, config, stream };
  }

  async function expectExactlyOnce(
    group: string,
    stream: ReturnType<typeof mixedStream>,
    topics: string[],
  ): Promise<void> {
    const { all, byTopic } = await totals(db().pool, group);
    expect(all).toEqual(stream.expected);
    for (const t of byTopic) expect(t.consumed).toBe(t.accepted + t.duplicate + t.rejected);
    const { rows } = await db().pool.query<{ event_id: string }>(
      'SELECT event_id FROM events WHERE source_topic = ANY($1)',
      [topics],
    );
    expect(rows).toHaveLength(stream.acceptedIds.size);
    expect(new Set(rows.map((r) => r.event_id))).toEqual(stream.acceptedIds);
    const rejections = await db().pool.query('SELECT count(*)::int AS n FROM rejections WHERE consumer_group = $1', [
      group,
    ]);
    expect(rejections.rows[0].n).toBe(stream.expected.rejected);
  }

  it('stores every event exactly once when the ingestor is SIGKILLed in the middle of 50,000 records', async () => {
    const { env, config, stream } = await setUp(50_000, 20_240_328);
    const group = config.ingest.groupId;

    const first = spawnApp('ingestor', env);
    running.push(first);
    // Kill it while batches are in flight: some committed, some not.
    await waitFor(async () => (await totals(db().pool, group)).all.consumed >= 12_000, {
      timeoutMs: 120_000,
      intervalMs: 20,
      what: 'first ingestor under way',
    });
    first.process.kill('SIGKILL');
    await first.exited;
    const atKill = (await totals(db().pool, group)).all.consumed;
    expect(atKill).toBeLessThan(50_000);

    const second = spawnApp('ingestor', env);
    running.push(second);
    await waitForConsumed(db().pool, group, 50_000, 180_000);
    await expectExactlyOnce(group, stream, [config.topics.bookings, config.topics.arrivals, config.topics.media]);
  });

  it('two instances in one group share the partitions and together store each event once (12,000 mixed records)', async () => {
    const { env, config, stream } = await setUp(12_000, 7);
    const group = config.ingest.groupId;
    running.push(spawnApp('ingestor', { ...env, INGEST_MAX_BYTES_PER_PARTITION: '65536' }));
    running.push(spawnApp('ingestor', { ...env, INGEST_MAX_BYTES_PER_PARTITION: '65536' }));

    const admin = testKafka().admin();
    await admin.connect();
    try {
      const members = await waitFor(
        async () => {
          const described = await admin.describeGroups([group]);
          const m = described.groups[0]?.members ?? [];
          return m.length === 2 && described.groups[0]?.state === 'Stable' ? m : undefined;
        },
        { timeoutMs: 90_000, intervalMs: 250, what: 'two members in the group' },
      );
      expect(members).toHaveLength(2);
    } finally {
      await admin.disconnect();
    }
    await waitForConsumed(db().pool, group, 12_000, 180_000);
    await expectExactlyOnce(group, stream, [config.topics.bookings, config.topics.arrivals, config.topics.media]);
  });
});
