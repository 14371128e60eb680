import type { INestApplication } from '@nestjs/common';
import type { Kafka, KafkaMessage } from 'kafkajs';
import type { Pool } from 'pg';
import { loadConfig, type CaravanConfig } from '@caravan/config';
import { ingestTotals, type TopicTotals } from '@caravan/observability';
import { createKafka, ensureTopics, type TopicSpec } from '@caravan/kafka';
import { createSnapshotProducer, SnapshotPublisher } from '@caravan/publisher';
import { waitFor } from '@caravan/stack';
import { createApp } from '@caravan/runtime';
import { createIngestorApp } from '../../apps/ingestor/src/ingestor.app';
import { ProjectorModule } from '../../apps/projector/src/projector.module';
import { uniqueName } from './names';
import { appEnv, testServices } from './test-env';

/** Unique topics and consumer group for one test's pipeline, as environment variables. */
export function pipelineEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  const id = uniqueName('p');
  return appEnv(databaseUrl, {
    TOPIC_BOOKINGS: `${id}.bookings`,
    TOPIC_ARRIVALS: `${id}.arrivals`,
    TOPIC_MEDIA: `${id}.media`,
    TOPIC_DLQ: `${id}.dlq`,
    TOPIC_SNAPSHOTS: `${id}.snapshots`,
    INGEST_GROUP_ID: `${id}-ingestor`,
    TOPIC_PARTITIONS: '3',
    DLQ_RELAY_INTERVAL_MS: '500',
    ...extra,
  });
}

export function testKafka(): Kafka {
  return createKafka({ brokers: testServices().kafkaBrokers, clientId: uniqueName('test') });
}

/** Creates topics on the test broker (those missing), waiting for their leaders. */
export async function createTopics(specs: TopicSpec[]): Promise<void> {
  const admin = testKafka().admin();
  await admin.connect();
  try {
    await ensureTopics(admin, specs);
  } finally {
    await admin.disconnect();
  }
}

/** Creates the pipeline's topics up front, so producers never race the ingestor's creation. */
export async function createPipelineTopics(config: CaravanConfig): Promise<void> {
  const t = config.topics;
  await createTopics(
    [t.bookings, t.arrivals, t.media, t.dlq].map((topic) => ({ topic, numPartitions: config.kafka.topicPartitions })),
  );
}

/** An ingestor in this process: the Nest app with its batch consumer running. */
export async function startIngestor(env: Record<string, string>): Promise<INestApplication> {
  const app = await createIngestorApp(env);
  await app.init();
  await app.startAllMicroservices();
  return app;
}

/** A projector in this process: its runners and the executor of rebuild requests. */
export async function startProjector(env: Record<string, string>): Promise<INestApplication> {
  const app = await createApp(ProjectorModule.forRoot(env));
  await app.init();
  return app;
}

export function configOf(env: Record<string, string>): CaravanConfig {
  return loadConfig('ingestor', env);
}

/** Sums of the counters across topics, and the per-topic rows. */
export async function totals(
  pool: Pool,
  group: string,
): Promise<{
  all: Omit<TopicTotals, 'topic' | 'rejectedByCode'> & { rejectedByCode: Record<string, number> };
  byTopic: TopicTotals[];
}> {
  const byTopic = await ingestTotals(pool, group);
  const all = { consumed: 0, accepted: 0, duplicate: 0, rejected: 0, rejectedByCode: {} as Record<string, number> };
  for (const t of byTopic) {
    all.consumed += t.consumed;
    all.accepted += t.accepted;
    all.duplicate += t.duplicate;
    all.rejected += t.rejected;
    for (const [code, n] of Object.entries(t.rejectedByCode))
      all.rejectedByCode[code] = (all.rejectedByCode[code] ?? 0) + n;
  }
  return { all, byTopic };
}

/** Waits until the group's consumed counter reaches `n`. */
export async function waitForConsumed(pool: Pool, group: string, n: number, timeoutMs = 120_000): Promise<void> {
  await waitFor(async () => (await totals(pool, group)).all.consumed >= n, {
    timeoutMs,
    intervalMs: 200,
    what: `${n} records consumed`,
  });
}

/**
 * Reads a topic from the beginning until `n` messages arrived (or `enough` says so), through the
 * test broker or the client given (another broker, another listener).
 */
export async function readTopic(
  topic: string,
  enough: number | ((messages: KafkaMessage[]) => boolean),
  timeoutMs = 60_000,
  kafka: Kafka = testKafka(),
): Promise<KafkaMessage[]> {
  const consumer = kafka.consumer({ groupId: uniqueName('reader') });
  const messages: KafkaMessage[] = [];
  const done = typeof enough === 'number' ? () => messages.length >= enough : () => enough(messages);
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => void messages.push(message) });
  try {
    await waitFor(done, {
      timeoutMs,
      what: typeof enough === 'number' ? `${enough} messages on ${topic}` : `the messages expected on ${topic}`,
    });
    return messages;
  } finally {
    await consumer.disconnect();
  }
}

/** Publishes the store's snapshots once, as the publisher would, to a snapshot topic of its own. */
export async function publishSnapshotsOnce(pool: Pool, timeZone: string): Promise<void> {
  const topic = uniqueName('snapshots');
  await createTopics([{ topic, numPartitions: 1 }]);
  const producer = createSnapshotProducer(testKafka(), topic);
  await producer.connect();
  try {
    await new SnapshotPublisher(pool, producer, topic, timeZone).publishChanges();
  } finally {
    await producer.disconnect();
  }
}
