import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { buildEvent, DLQ_HEADERS, type KpiSnapshot } from '@caravan/contract';
import { createProducer } from '@caravan/kafka';
import {
  type ChildApp,
  type Codec,
  configOf,
  createPipelineTopics,
  freePort,
  type ForeignRecord,
  pipelineEnv,
  produceWithJava,
  produceWithKcat,
  readTopic,
  requireKcat,
  spawnApp,
  stopApp,
  testKafka,
  testServices,
  totals,
  useTestDatabase,
  waitFor,
  waitForConsumed,
} from '../harness';

const CODECS: Codec[] = ['gzip', 'snappy', 'lz4', 'zstd'];
const DAY = '2025-06-0';

/**
 * Every poison kind of issue 12, as the bytes a producer we did not write could send. Each must
 * end in the DLQ with its code; none may stop the records after it.
 */
function poisons(): Array<{
  name: string;
  role: 'arrivals' | 'bookings' | 'media';
  value: string;
  code: string;
  timestamp?: string;
}> {
  const arrival = buildEvent.arrivalRecorded(
    { nationality: 'CN', port: 'khorgos', purpose: 'tourism', travelers: 1 },
    { occurredAt: `${DAY}1T10:00:00+05:00` },
  );
  const cancel = buildEvent.bookingCancelled(
    { bookingId: 'b-1', reason: 'plans changed' },
    { occurredAt: `${DAY}1T10:00:00+05:00` },
  );
  const booking = buildEvent.bookingCreated(
    {
      bookingId: 'b-big',
      market: 'CN',
      destination: 'almaty',
      channel: 'ota',
      travelers: 1,
      checkIn: '2025-07-01',
      nights: 2,
      price: { amount: '999999999999999.99', currency: 'USD' },
    },
    { occurredAt: `${DAY}1T10:00:00+05:00` },
  );
  const views = buildEvent.mediaViewsReported(
    { platform: 'douyin', campaign: 'visit-kz', market: 'CN', views: 9_000_000_000_000_000 },
    { occurredAt: `${DAY}1T10:00:00+05:00` },
  );
  const json = (v: unknown) => JSON.stringify(v);
  return [
    {
      name: 'U+0000 in producer',
      role: 'arrivals',
      value: json({ ...arrival, eventId: randomUUID(), producer: 'border\u0000service' }),
      code: 'schema',
    },
    {
      name: 'U+0000 in bookingId',
      role: 'bookings',
      value: json({ ...cancel, eventId: randomUUID(), data: { bookingId: 'b\u0000' } }),
      code: 'schema',
    },
    {
      name: 'lone surrogate',
      role: 'bookings',
      value: json({ ...cancel, eventId: randomUUID(), data: { bookingId: 'b-1', reason: 'x\ud800y' } }),
      code: 'schema',
    },
    {
      name: 'year 0000',
      role: 'arrivals',
      value: json({ ...arrival, eventId: randomUUID(), occurredAt: '0000-06-01T00:00:00Z' }),
      code: 'schema',
    },
    {
      name: 'offset +16:00',
      role: 'arrivals',
      value: json({ ...arrival, eventId: randomUUID(), occurredAt: '2025-06-01T10:00:00+16:00' }),
      code: 'schema',
    },
    {
      name: 'unknown key with U+0000',
      role: 'arrivals',
      value: json({ ...arrival, eventId: randomUUID(), data: { ...arrival.data, ['v\u0000ip']: true } }),
      code: 'schema',
    },
    {
      name: 'cancellation in year 0099',
      role: 'bookings',
      value: json({ ...cancel, eventId: randomUUID(), occurredAt: '0099-06-01T00:00:00Z' }),
      code: 'schema',
    },
    {
      name: 'views of overflowing size',
      role: 'media',
      value: json({ ...views, eventId: randomUUID() }),
      code: 'schema',
    },
    {
      name: 'price of overflowing size',
      role: 'bookings',
      value: json({ ...booking, eventId: randomUUID() }),
      code: 'schema',
    },
    // A rejected record whose Kafka timestamp lies beyond PostgreSQL's range (year ~287,000).
    {
      name: 'timestamp beyond PostgreSQL',
      role: 'arrivals',
      value: '{"eventId": "cut',
      code: 'malformed_json',
      timestamp: '9000000000000000',
    },
  ];
}

describe('producers we did not write: every codec, transactions, poison records, through Kafka to the snapshots (real Kafka and PostgreSQL)', () => {
  const db = useTestDatabase();
  const running: ChildApp[] = [];
  afterAll(async () => {
    await Promise.all(running.splice(0).map((app) => stopApp(app)));
  });

  it('ingests compressed batches of kcat and of the Java client, committed transactions once and aborted ones never, and every poison record into the DLQ with its code', async () => {
    requireKcat();
    const ingestorPort = await freePort();
    // Caravan's own producers compress too (zstd): the DLQ and the snapshots are read back below by
    // kafkajs and by kcat.
    const env = pipelineEnv(db().url, {
      TOPIC_PARTITIONS: '1',
      KAFKA_COMPRESSION: 'zstd',
      SNAPSHOT_INTERVAL_MS: '200',
      LOG_LEVEL: 'warn',
    });
    const config = configOf(env);
    const t = config.topics;
    await createPipelineTopics(config);
    const producer = createProducer(testKafka());
    await producer.connect();

    let travelers = 0;
    let arrivalsSent = 0;
    const validArrival = (n: number): ForeignRecord => {
      travelers += n;
      arrivalsSent += 1;
      const e = buildEvent.arrivalRecorded(
        { nationality: 'CN', port: 'khorgos', purpose: 'tourism', travelers: n, destination: 'almaty' },
        { occurredAt: `${DAY}${1 + (arrivalsSent % 8)}T10:00:00+05:00` },
      );
      return { key: 'khorgos', value: JSON.stringify(e) };
    };
    const sendValid = async (role: 'arrivals' | 'bookings' | 'media') => {
      if (role === 'arrivals') {
        const r = validArrival(3);
        await producer.send({ topic: t.arrivals, messages: [{ key: r.key, value: r.value }] });
      } else if (role === 'bookings') {
        const e = buildEvent.bookingCreated(
          {
            bookingId: randomUUID(),
            market: 'CN',
            destination: 'almaty',
            channel: 'ota',
            travelers: 2,
            checkIn: '2025-07-01',
            nights: 3,
            price: { amount: '100.00', currency: 'USD' },
          },
          { occurredAt: `${DAY}2T10:00:00+05:00` },
        );
        await producer.send({ topic: t.bookings, messages: [{ key: e.data.bookingId, value: JSON.stringify(e) }] });
      } else {
        const e = buildEvent.mediaViewsReported(
          { platform: 'weibo', campaign: 'visit-kz', market: 'CN', views: 10 },
          { occurredAt: `${DAY}2T10:00:00+05:00` },
        );
        await producer.send({ topic: t.media, messages: [{ key: 'visit-kz', value: JSON.stringify(e) }] });
      }
    };

    // Live, as in production: the apps run while the producers write (so an aborted transaction can arrive alone).
    running.push(
      spawnApp('ingestor', { ...env, HTTP_PORT: String(ingestorPort) }),
      spawnApp('projector', env),
      spawnApp('publisher', env),
    );
    const admin = testKafka().admin();
    await admin.connect();
    /** Until the stored offset of the arrivals log is its end, filtered records (markers, aborted ones) included. */
    const consumedToEnd = async () => {
      const [end] = await admin.fetchTopicOffsets(t.arrivals);
      await waitFor(
        async () => {
          const { rows } = await db().pool.query<{ next_offset: string }>(
            'SELECT next_offset::text FROM ingest_offsets WHERE topic = $1',
            [t.arrivals],
          );
          return rows[0]?.next_offset === end?.high;
        },
        { timeoutMs: 60_000, intervalMs: 100, what: `the stored offset of ${t.arrivals} at its end ${end?.high}` },
      );
    };
    try {
      // Each poison record, then a valid record behind it on the same topic.
      const bad = poisons();
      for (const p of bad) {
        await producer.send({
          topic: t[p.role],
          messages: [{ key: p.name, value: p.value, ...(p.timestamp ? { timestamp: p.timestamp } : {}) }],
        });
        await sendValid(p.role);
      }
      // A compressed batch of each codec from librdkafka and from the Java client, each followed by a valid record.
      for (const codec of CODECS) {
        await produceWithKcat(
          t.arrivals,
          Array.from({ length: 25 }, () => validArrival(1)),
          { codec, partition: 0 },
        );
        await sendValid('arrivals');
        await produceWithJava(
          t.arrivals,
          Array.from({ length: 25 }, () => validArrival(2)),
          { codec, partition: 0 },
        );
        await sendValid('arrivals');
      }
      // Transactions: committed ones once, the aborted one never (its travelers would show).
      const aborted = Array.from({ length: 3 }, () => ({
        key: 'khorgos',
        value: JSON.stringify(
          buildEvent.arrivalRecorded(
            { nationality: 'CN', port: 'khorgos', purpose: 'tourism', travelers: 1000 },
            { occurredAt: `${DAY}3T10:00:00+05:00` },
          ),
        ),
      }));
      await produceWithJava(
        t.arrivals,
        [
          'begin',
          validArrival(5),
          validArrival(5),
          'commit',
          'begin',
          ...aborted,
          'abort',
          'begin',
          validArrival(7),
          'commit',
        ],
        { codec: 'lz4', partition: 0, transactionalId: `tx-${randomUUID()}` },
      );
      await consumedToEnd();
      // An aborted transaction alone: kafkajs moves past it without handing it in.
      await produceWithJava(t.arrivals, ['begin', ...aborted, 'abort'], {
        codec: 'gzip',
        partition: 0,
        transactionalId: `tx-${randomUUID()}`,
      });
      await consumedToEnd();
      await sendValid('arrivals');
      await produceWithJava(t.arrivals, ['begin', validArrival(11), 'commit'], {
        codec: 'zstd',
        partition: 0,
        transactionalId: `tx-${randomUUID()}`,
      });

      // Every arrival counted where it was built; the poisons, and the bookings and media records behind them.
      const followers = bad.filter((p) => p.role !== 'arrivals').length;
      const sentRecords = arrivalsSent + bad.length + followers;
      await waitForConsumed(db().pool, config.ingest.groupId, sentRecords, 180_000);

      const { all, byTopic } = await totals(db().pool, config.ingest.groupId);
      expect(all).toEqual({
        consumed: sentRecords,
        accepted: sentRecords - bad.length,
        duplicate: 0,
        rejected: bad.length,
        rejectedByCode: { schema: 9, malformed_json: 1 },
      });
      for (const topic of byTopic) expect(topic.consumed).toBe(topic.accepted + topic.duplicate + topic.rejected);

      // Every poison record in the DLQ, byte for byte, with its code; read by kafkajs and by librdkafka.
      const dlq = await readTopic(t.dlq, bad.length);
      for (const p of bad) {
        const found = dlq.find((m) => m.value?.equals(Buffer.from(p.value)));
        expect({ name: p.name, code: found?.headers?.[DLQ_HEADERS.code]?.toString() }).toEqual({
          name: p.name,
          code: p.code,
        });
      }
      const kcat = spawnSync(
        'kcat',
        ['-C', '-b', testServices().kafkaBrokers.join(','), '-t', t.dlq, '-o', 'beginning', '-e', '-q', '-f', '%h\n'],
        { encoding: 'utf8' },
      );
      expect(kcat.status).toBe(0);
      expect(kcat.stdout.split('\n').filter((l) => l.includes(`${DLQ_HEADERS.code}=`))).toHaveLength(bad.length);

      // The transactions' markers moved the stored offset with the records: no seek back, nothing left behind.
      const [end] = await admin.fetchTopicOffsets(t.arrivals);
      await waitFor(
        async () => {
          const { rows } = await db().pool.query<{ next_offset: string }>(
            'SELECT next_offset::text FROM ingest_offsets WHERE topic = $1',
            [t.arrivals],
          );
          return rows[0]?.next_offset === end?.high;
        },
        { what: `the stored offset of ${t.arrivals} at its end ${end?.high}` },
      );
      const metrics = await (await fetch(`http://127.0.0.1:${ingestorPort}/metrics`)).text();
      expect(metrics).not.toMatch(/^caravan_ingest_seeks_total\{[^}]*\} [1-9]/m);
      expect(metrics).toMatch(/^caravan_loop_running\{loop="consumer"\} 1$/m);

      // The valid records, and only they, in the published snapshot (PostgreSQL's copy and the topic).
      const snapshot = await waitFor(
        async () => {
          const { rows } = await db().pool.query<{ snapshot: KpiSnapshot }>(
            `SELECT snapshot FROM kpi_latest WHERE key = 'arrivals|ytd|*'`,
          );
          return rows[0]?.snapshot.value === travelers ? rows[0].snapshot : undefined;
        },
        { timeoutMs: 120_000, what: `arrivals ytd = ${travelers}` },
      );
      expect(snapshot.value).toBe(travelers);
      const published = await readTopic(t.snapshots, 1);
      expect(published.some((m) => m.key?.toString() === 'arrivals|ytd|*')).toBe(true);
    } finally {
      await producer.disconnect();
      await admin.disconnect();
    }
    // Nine runs of the Java client (each compiles its single-file program) and three apps: a guard against a hang only.
  }, 600_000);
});
