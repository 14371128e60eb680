/**
 * The benchmark's input: a deterministic simulator workload produced to fresh topics BEFORE any
 * timing, so producing is never measured. Every figure of the run reads these same records.
 */
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import type { CaravanConfig } from '@caravan/config';
import type { TopicNames, TopicRole, TourismEvent } from '@caravan/contract';
import { createKafka, ensureTopics, EventProducer, kafkaConnection, type RoleRecord } from '@caravan/kafka';
import { historicTraffic, type OutcomeSummary, summarize } from '@caravan/simulator';

export type Workload = {
  id: string;
  topics: TopicNames;
  records: number;
  /** Record values as produced, for the raw limits. */
  values: Buffer[];
  /** Role and key of each record, in produce order (to produce a sample again for a peer). */
  items: Array<{ role: TopicRole; key: string; value: Buffer }>;
  /** The accepted events, deduplicated, for the peers that take events rather than records. */
  events: TourismEvent[];
  expected: OutcomeSummary;
  produceSeconds: number;
};

export const PARTITIONS = 6;

export async function prepareWorkload(
  config: CaravanConfig,
  count: number,
  log: (line: string) => void,
): Promise<Workload> {
  const id = `bench-${randomBytes(3).toString('hex')}`;
  const topics = {
    bookings: `${id}.bookings`,
    arrivals: `${id}.arrivals`,
    media: `${id}.media`,
    dlq: `${id}.dlq`,
    snapshots: `${id}.snapshots`,
  };
  const generated = [
    ...historicTraffic({
      seed: 2024,
      timeZone: config.timeZone,
      mix: { badShare: 0.005, duplicateShare: 0.01 },
      from: new Date('2024-01-01T00:00:00+06:00'),
      to: new Date('2025-01-01T00:00:00+05:00'),
      count,
    }),
  ];
  const expected = summarize(generated);
  const started = performance.now();
  await produceItems(config, topics, generated);
  const produceSeconds = (performance.now() - started) / 1000;
  // A retried produce request can write a batch twice (kafkajs without idempotence): count what is
  // on the topics; the extra copies are redeliveries the pipeline must count as duplicates.
  const onTopics = await recordsOnTopics(config, [topics.bookings, topics.arrivals, topics.media]);
  if (onTopics !== count)
    log(`note: ${onTopics - count} records were written twice by producer retries; they count as redeliveries`);
  log(
    `workload: ${onTopics} records (${expected.accepted} events, ${expected.duplicate} redeliveries, ` +
      `${expected.rejected} invalid) produced to ${id}.* in ${produceSeconds.toFixed(1)} s, before timing`,
  );
  return {
    id,
    topics,
    records: onTopics,
    values: generated.map((r) => r.value),
    items: generated.map((r) => ({ role: r.role, key: r.key, value: r.value })),
    events: generated.flatMap((r) => (r.event ? [r.event] : [])),
    expected,
    produceSeconds,
  };
}

export async function recordsOnTopics(config: CaravanConfig, topics: string[]): Promise<number> {
  const admin = createKafka({ ...kafkaConnection(config.kafka), clientId: 'bench-offsets' }).admin();
  await admin.connect();
  try {
    let total = 0;
    for (const topic of topics)
      for (const p of await admin.fetchTopicOffsets(topic)) total += Number(p.high) - Number(p.low);
    return total;
  } finally {
    await admin.disconnect();
  }
}

/** Produces records to the topics of their role, in chunks (a partition's batch stays under 1 MB). */
export async function produceItems(
  config: CaravanConfig,
  topics: Workload['topics'],
  items: ReadonlyArray<RoleRecord>,
): Promise<void> {
  const kafka = createKafka({ ...kafkaConnection(config.kafka), clientId: 'bench-producer' });
  const admin = kafka.admin();
  await admin.connect();
  await ensureTopics(
    admin,
    [topics.bookings, topics.arrivals, topics.media, topics.dlq].map((topic) => ({ topic, numPartitions: PARTITIONS })),
  );
  await admin.disconnect();
  const producer = new EventProducer(kafka, topics);
  await producer.connect();
  try {
    await producer.sendToRoles(items);
  } finally {
    await producer.disconnect();
  }
}

export async function deleteTopics(config: CaravanConfig, topics: Record<string, string>): Promise<void> {
  const admin = createKafka({ ...kafkaConnection(config.kafka), clientId: 'bench-cleanup' }).admin();
  await admin.connect();
  await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
  await admin.disconnect();
}
