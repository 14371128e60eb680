import { DLQ_HEADERS } from '@caravan/contract';
import { createKafka, createProducer, ensureTopics } from '@caravan/kafka';
import { DlqRelay } from './dlq-relay';
import { readTopic, testServices, uniqueName, useTestDatabase } from '../../../tests/harness';

describe('the dead-letter outbox (real Kafka and PostgreSQL)', () => {
  const db = useTestDatabase();
  const topic = uniqueName('dlq');
  const quiet = { warn: () => undefined };

  it('keeps rejections in PostgreSQL while Kafka is unreachable and publishes them once it answers', async () => {
    await db().pool.query(
      `INSERT INTO rejections (consumer_group, source_topic, source_partition, source_offset, record_key, record_value, code, detail)
       VALUES ('g', 'tourism.arrivals', 2, 41, 'k', '\\x7b22', 'malformed_json', 'Unexpected end of JSON input')`,
    );
    const down = createProducer(createKafka({ brokers: ['127.0.0.1:1'], clientId: 'down', retries: 0, quiet: true }), { retry: { retries: 0 } });
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
});
