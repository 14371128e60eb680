import { DLQ_HEADERS } from '@caravan/contract';
import { createKafka, createProducer, ensureTopics } from '@caravan/kafka';
import { bySize, DlqRelay } from './dlq-relay';
import { readTopic, testServices, uniqueName, useTestDatabase } from '../../../tests/harness';

describe('the dead-letter outbox (real Kafka and PostgreSQL)', () => {
  const db = useTestDatabase();
  const topic = uniqueName('dlq');
  const quiet = { warn: () => undefined, log: () => undefined };

  it('keeps rejections in PostgreSQL while Kafka is unreachable and publishes them once it answers', async () => {
    await db().pool.query(
      `INSERT INTO rejections (consumer_group, source_topic, source_partition, source_offset, record_key, record_value,
         code, detail)
       VALUES ('g', 'tourism.arrivals', 2, 41, 'k', '\\x7b22', 'malformed_json', 'Unexpected end of JSON input')`,
    );
    const down = createProducer(createKafka({ brokers: ['127.0.0.1:1'], clientId: 'down', retries: 0, quiet: true }), {
      retry: { retries: 0 },
    });
    expect(await new DlqRelay(db().pool, down, topic, quiet).drain()).toBe(0);
    const pending = await db().pool.query('SELECT count(*)::int AS n FROM rejections WHERE dlq_published_at IS NULL');
    expect(pending.rows[0].n).toBe(1);

    const kafka = createKafka({ brokers: testServices().kafkaBrokers, clientId: 'relay-test' });
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic, numPartitions: 1 }]);
    await admin.disconnect();
    const up = createProducer(kafka);
    try {
      expect(await new DlqRelay(db().pool, up, topic, quiet).drain()).toBe(1);
      expect(await new DlqRelay(db().pool, up, topic, quiet).drain()).toBe(0);
    } finally {
      await up.disconnect();
    }
    const [message] = await readTopic(topic, 1);
    expect(message?.value).toEqual(Buffer.from([0x7b, 0x22]));
    expect(message?.headers?.[DLQ_HEADERS.code]?.toString()).toBe('malformed_json');
    expect(message?.headers?.[DLQ_HEADERS.offset]?.toString()).toBe('41');
    expect(message?.headers?.[DLQ_HEADERS.partition]?.toString()).toBe('2');
  });

  it('never jams: requests bounded in bytes, a record the topic refuses even alone is marked with the reason and skipped, the rest and what comes after go out', async () => {
    const jamTopic = uniqueName('dlq-small');
    const kafka = createKafka({ brokers: testServices().kafkaBrokers, clientId: 'relay-jam-test' });
    const admin = kafka.admin();
    await admin.connect();
    // A DLQ topic that takes record batches of at most 20 kB (one partition: a request is all or nothing).
    await ensureTopics(admin, [
      { topic: jamTopic, numPartitions: 1, configEntries: [{ name: 'max.message.bytes', value: '20000' }] },
    ]);
    await admin.disconnect();
    const insert = (offset: number, key: string, bytes: number) =>
      db().pool.query(
        `INSERT INTO rejections (consumer_group, source_topic, source_partition, source_offset, record_key,
           record_value, code, detail)
         VALUES ('jam', 'tourism.media', 0, $1, $2, $3, 'too_large', 'the record is larger than the contract allows')`,
        [offset, key, Buffer.alloc(bytes, 0x61)],
      );
    // 16 rejections of 5 kB with one key (one partition, one record batch: 80 kB together), one of
    // 30 kB that no request can carry, and a few small ones after it.
    for (let i = 0; i < 16; i++) await insert(i, 'same-key', 5_000);
    await insert(16, 'big', 30_000);
    for (let i = 17; i < 20; i++) await insert(i, `k${i}`, 100);
    const producer = createProducer(kafka, { retry: { retries: 1 } });
    const logged: string[] = [];
    const logger = { warn: (m: string) => void logged.push(m), log: () => undefined };
    try {
      // Unbounded by the relay's own size limit: the broker refuses the large requests, they are split.
      expect(await new DlqRelay(db().pool, producer, jamTopic, logger).drain()).toBe(20);
      const { rows } = await db().pool.query<{ source_offset: string; published: boolean; dlq_error: string | null }>(
        `SELECT source_offset::text, dlq_published_at IS NOT NULL AS published, dlq_error FROM rejections
         WHERE consumer_group = 'jam' ORDER BY rejections.source_offset`,
      );
      expect(rows.filter((r) => r.published).map((r) => r.source_offset)).toEqual(
        [...Array(20).keys()].filter((i) => i !== 16).map(String),
      );
      expect(rows[16]).toEqual({
        source_offset: '16',
        published: false,
        dlq_error: expect.stringMatching(/MESSAGE_TOO_LARGE|RECORD_LIST_TOO_LARGE/),
      });
      expect(logged.join('\n')).toMatch(/refused by the broker even alone/);

      // What comes after goes out; the refused one is not tried again.
      await insert(20, 'after', 100);
      const sized = new DlqRelay(db().pool, producer, jamTopic, logger, 15_000);
      expect(await sized.drain()).toBe(1);
      expect(await sized.drain()).toBe(0);
      const pending = await db().pool.query(
        `SELECT count(*)::int AS n FROM rejections WHERE consumer_group = 'jam' AND dlq_published_at IS NULL`,
      );
      expect(pending.rows[0].n).toBe(1);
    } finally {
      await producer.disconnect();
    }
    const messages = await readTopic(jamTopic, 20);
    expect(messages).toHaveLength(20);
  });

  it('bounds each request in bytes by itself (no broker refusal needed)', () => {
    const row = (id: number, bytes: number) => ({
      id: String(id),
      source_topic: 't',
      source_partition: 0,
      source_offset: String(id),
      record_key: null,
      record_value: Buffer.alloc(bytes),
      code: 'too_large',
      detail: '',
    });
    const requests = bySize([row(1, 400), row(2, 400), row(3, 2_000), row(4, 10)], 1_000);
    expect(requests.map((r) => r.map((x) => x.id))).toEqual([['1'], ['2'], ['3'], ['4']]);
    expect(bySize([row(1, 100), row(2, 100), row(3, 100)], 1_000).map((r) => r.length)).toEqual([3]);
  });
});
