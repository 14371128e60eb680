import type { Kafka } from 'kafkajs';
import type { CaravanConfig } from '@caravan/config';
import { createKafka, ensureTopics, EventProducer, kafkaConnection, probeBrokers } from '@caravan/kafka';
import { CliError } from './cli-error';

/** Fails fast, in one line, when no broker answers: kafkajs would otherwise retry for minutes. */
export async function requireKafka(config: CaravanConfig): Promise<Kafka> {
  const probe = await probeBrokers(kafkaConnection(config.kafka), 3_000);
  if (!probe.ok) {
    throw new CliError(
      `Kafka is not reachable at ${config.kafka.brokers.join(',')} (${probe.error}): start it with ` +
        `\`npx caravan stack up\` or set KAFKA_BROKERS`,
    );
  }
  return createKafka({ ...kafkaConnection(config.kafka), clientId: `${config.kafka.clientId}-cli` });
}

/** A connected producer for the inbound topics, which exist (with the configured partitions) once this resolves. */
export async function openProducer(config: CaravanConfig): Promise<EventProducer> {
  const kafka = await requireKafka(config);
  const admin = kafka.admin();
  await admin.connect();
  try {
    const { bookings, arrivals, media } = config.topics;
    await ensureTopics(
      admin,
      [bookings, arrivals, media].map((topic) => ({ topic, numPartitions: config.kafka.topicPartitions })),
    );
  } finally {
    await admin.disconnect();
  }
  const producer = new EventProducer(kafka, config.topics, config.kafka.compression);
  await producer.connect();
  return producer;
}
