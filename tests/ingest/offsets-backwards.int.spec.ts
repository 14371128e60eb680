import { buildEvent } from '@caravan/contract';
import { createProducer } from '@caravan/kafka';
import {
  type ChildApp,
  configOf,
  createTopics,
  freePort,
  pipelineEnv,
  runCli,
  spawnApp,
  stopApp,
  testKafka,
  totals,
  useTestDatabase,
  waitFor,
  waitForConsumed,
} from '../harness';

const arrival = (travelers: number) =>
  JSON.stringify(
    buildEvent.arrivalRecorded(
      { nationality: 'CN', port: 'khorgos', purpose: 'tourism', travelers },
      { occurredAt: '2025-06-01T10:00:00+05:00' },
    ),
  );

describe('offsets that go backwards are never silent (real Kafka and PostgreSQL)', () => {
  const db = useTestDatabase();
  const running: ChildApp[] = [];
  afterAll(async () => {
    await Promise.all(running.splice(0).map((app) => stopApp(app, 'SIGKILL')));
  });

  it('pauses a re-created topic whose log ends before the stored offset, shows it, and resumes where ops reset it', async () => {
    const env = pipelineEnv(db().url, { TOPIC_PARTITIONS: '1' });
    const config = configOf(env);
    const topic = config.topics.arrivals;
    const { bookings, media, dlq } = config.topics;
    await createTopics([topic, bookings, media, dlq].map((t) => ({ topic: t, numPartitions: 1 })));
    const producer = createProducer(testKafka());
    await producer.connect();
    const port = await freePort();
    try {
      await producer.send({
        topic,
        messages: Array.from({ length: 20 }, (_, i) => ({ key: 'khorgos', value: arrival(1 + (i % 4)) })),
      });
      const first = spawnApp('ingestor', { ...env, HTTP_PORT: String(port) });
      running.push(first);
      await waitForConsumed(db().pool, config.ingest.groupId, 20);
      await stopApp(first);

      // The topic deleted and re-created (a mistake, a migration): its new log ends at 5, PostgreSQL's offset is 20.
      const admin = testKafka().admin();
      await admin.connect();
      await admin.deleteTopics({ topics: [topic] });
      await waitFor(async () => !(await admin.listTopics()).includes(topic), { what: `${topic} deleted` });
      await admin.disconnect();
      await createTopics([{ topic, numPartitions: 1 }]);
      await producer.send({
        topic,
        messages: Array.from({ length: 5 }, () => ({ key: 'khorgos', value: arrival(10) })),
      });

      const second = spawnApp('ingestor', { ...env, HTTP_PORT: String(port) });
      running.push(second);
      const base = `http://127.0.0.1:${port}`;
      // Detected on assignment: paused, in metrics and readiness; the new records neither read nor skipped.
      await waitFor(
        async () =>
          /^caravan_ingest_offset_beyond_log_end\{topic="[^"]+",partition="0"\} 15$/m.test(
            await (await fetch(`${base}/metrics`)).text(),
          ),
        {
          timeoutMs: 60_000,
          what: 'the gauge of the paused partition',
        },
      );
      const ready = await fetch(`${base}/health/ready`);
      expect(ready.status).toBe(503);
      expect(JSON.stringify(await ready.json())).toContain(`${topic}[0] 20 > 5`);
      expect((await totals(db().pool, config.ingest.groupId)).all.consumed).toBe(20);
      const { rows } = await db().pool.query<{ next_offset: string }>(
        'SELECT next_offset::text FROM ingest_offsets WHERE topic = $1',
        [topic],
      );
      expect(rows[0]?.next_offset).toBe('20');

      const list = await runCli(['offsets', 'list'], env);
      expect(list.status).toBe(3);
      expect(list.stdout).toMatch(
        new RegExp(
          `${topic.replace(/\./g, '\\.')}\\[0\\]\\s+PAUSED: stored 20 lies 15 beyond the log's end, log \\[0, 5\\)`,
        ),
      );
      const status = await runCli(['status'], env);
      expect(status.stdout).toContain(`${topic}[0] PAUSED: stored offset 20 lies beyond the log's end 5`);
      expect(status.status).toBe(3);

      // Without --yes only the plan; with it, the stored offset moves and the ingestor resumes there.
      const dry = await runCli(['offsets', 'reset', topic, '0', '--to', 'earliest'], env);
      expect({ status: dry.status, out: dry.stdout }).toMatchObject({
        status: 2,
        out: expect.stringContaining('would move'),
      });
      expect((await db().pool.query('SELECT count(*)::int AS n FROM ingest_offset_resets')).rows[0].n).toBe(0);
      const reset = await runCli(
        ['offsets', 'reset', topic, '0', '--to', 'earliest', '--yes', '--reason', 'topic re-created by the test'],
        env,
      );
      expect(reset.status).toBe(0);
      expect(reset.stdout).toContain(`moved ${topic}[0] from 20 to 0`);
      await waitForConsumed(db().pool, config.ingest.groupId, 25);
      const after = await totals(db().pool, config.ingest.groupId);
      expect(after.all).toMatchObject({ consumed: 25, accepted: 25, rejected: 0 });
      await waitFor(async () => (await fetch(`${base}/health/ready`)).status === 200, { what: 'ready again' });
      expect(await (await fetch(`${base}/metrics`)).text()).not.toMatch(/^caravan_ingest_offset_beyond_log_end\{/m);
      const audit = await db().pool.query(
        'SELECT topic, from_offset::int, to_offset::int, log_end::int, reason FROM ingest_offset_resets',
      );
      expect(audit.rows).toEqual([
        { topic, from_offset: 20, to_offset: 0, log_end: 5, reason: 'topic re-created by the test' },
      ]);
      // A partition that is not paused is not moved without --force.
      const refused = await runCli(['offsets', 'reset', topic, '0', '--to', 'latest', '--yes'], env);
      expect(refused.status).toBe(1);
      expect(refused.stderr).toContain('--force');
    } finally {
      await producer.disconnect();
    }
  }, 300_000);
});
