import type { Consumer, EachMessagePayload } from 'kafkajs';
import { createKafka, createProducer, ensureTopics } from '@caravan/kafka';
import { testServices, uniqueName, waitFor } from '../harness';

describe('a consumer group resumes from its committed offset after a restart (real broker)', () => {
  const topic = uniqueName('resume');
  const groupId = uniqueName('group');
  const kafka = createKafka({ brokers: testServices().kafkaBrokers, clientId: 'test-resume' });

  beforeAll(async () => {
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic, numPartitions: 1 }]);
    await admin.disconnect();
  });

  async function produce(values: string[]): Promise<void> {
    const producer = createProducer(kafka);
    await producer.connect();
    await producer.send({ topic, messages: values.map((value) => ({ value })) });
    await producer.disconnect();
  }

  async function consumeUntil(count: number): Promise<{ values: string[]; offsets: string[]; consumer: Consumer }> {
    const consumer = kafka.consumer({ groupId, sessionTimeout: 10_000, heartbeatInterval: 1_000 });
    const values: string[] = [];
    const offsets: string[] = [];
    await consumer.connect();
    await consumer.subscribe({ topic, fromBeginning: true });
    await consumer.run({
      autoCommit: true,
      eachMessage: async ({ message }: EachMessagePayload) => {
        values.push(message.value?.toString() ?? '');
        offsets.push(message.offset);
      },
    });
    await waitFor(() => values.length >= count, { timeoutMs: 60_000, what: `${count} messages consumed` });
    return { values, offsets, consumer };
  }

  it('a second consumer in the same group gets only what the first did not commit', async () => {
    await produce(['a1', 'a2', 'a3', 'a4', 'a5']);
    const first = await consumeUntil(5);
    // disconnect() commits the offsets consumed so far before leaving the group.
    await first.consumer.disconnect();
    expect(first.values).toEqual(['a1', 'a2', 'a3', 'a4', 'a5']);

    const admin = kafka.admin();
    await admin.connect();
    const committed = await admin.fetchOffsets({ groupId, topics: [topic] });
    await admin.disconnect();
    expect(committed[0]?.partitions[0]?.offset).toBe('5');

    await produce(['b1', 'b2', 'b3']);
    const second = await consumeUntil(3);
    await second.consumer.disconnect();
    expect(second.values).toEqual(['b1', 'b2', 'b3']);
    expect(second.offsets).toEqual(['5', '6', '7']);
  });
});
