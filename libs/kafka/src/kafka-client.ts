import {
  CompressionTypes,
  Kafka,
  type KafkaConfig,
  logLevel,
  Partitioners,
  type Admin,
  type ICustomPartitioner,
  type ITopicConfig,
  type Producer,
  type ProducerConfig,
} from 'kafkajs';
import type { KafkaConnection } from '@caravan/config';
import { type Compression, COMPRESSION_TYPES, registerCodecs } from './codecs';
import { kafkaLogCreator } from './kafka-log';

export type KafkaClientOptions = KafkaConnection & {
  clientId: string;
  /** Per-request connection timeout; short by default so an absent broker is noticed quickly. */
  connectionTimeout?: number;
  retries?: number;
  /** kafkajs's own logging; probes silence it, since a refused connection is their answer. */
  quiet?: boolean;
};

/** A kafkajs client that reads every codec Kafka has (see codecs.ts). */
export function createKafka(options: KafkaClientOptions): Kafka {
  registerCodecs();
  return new Kafka({
    clientId: options.clientId,
    ...securityOf(options),
    connectionTimeout: options.connectionTimeout ?? 3_000,
    requestTimeout: 30_000,
    logLevel: options.quiet ? logLevel.NOTHING : logLevel.WARN,
    logCreator: kafkaLogCreator,
    retry: { retries: options.retries ?? 8, initialRetryTime: 100, maxRetryTime: 5_000 },
  });
}

/** Only how to reach the cluster (brokers, TLS, SASL) of a config's kafka section. */
export function kafkaConnection(kafka: KafkaConnection): KafkaConnection {
  return {
    brokers: kafka.brokers,
    ...(kafka.tls ? { tls: kafka.tls } : {}),
    ...(kafka.sasl ? { sasl: kafka.sasl } : {}),
  };
}

/** The brokers, TLS and SASL as kafkajs (and the Nest Kafka transport) take them. */
export function securityOf(connection: KafkaConnection): Pick<KafkaConfig, 'brokers' | 'ssl' | 'sasl'> {
  const { tls, sasl } = connection;
  return {
    brokers: connection.brokers,
    ...(tls
      ? {
          ssl: {
            ca: tls.ca,
            cert: tls.cert,
            key: tls.key,
            passphrase: tls.passphrase,
            rejectUnauthorized: tls.rejectUnauthorized,
          },
        }
      : {}),
    ...(sasl
      ? { sasl: { mechanism: sasl.mechanism, username: sasl.username, password: sasl.password } as KafkaConfig['sasl'] }
      : {}),
  };
}

/**
 * The murmur2 partitioner of the Java client (Partitioners.DefaultPartitioner) remembering the
 * partition of each key it has seen, for a producer that sends the same few keys again and again
 * (the publisher: about 700 snapshot keys, each run): the same partitions, without hashing each
 * key anew. Forgets everything beyond `maxKeys` keys, and whenever the partition count changes.
 */
export function keyCachingPartitioner(maxKeys = 10_000): ICustomPartitioner {
  return () => {
    const partitioner = Partitioners.DefaultPartitioner();
    const cache = new Map<string, number>();
    let partitions = -1;
    return (args) => {
      const { message, partitionMetadata } = args;
      if (message.partition !== undefined && message.partition !== null) return message.partition;
      if (typeof message.key !== 'string') return partitioner(args);
      if (partitionMetadata.length !== partitions || cache.size >= maxKeys) {
        cache.clear();
        partitions = partitionMetadata.length;
      }
      let partition = cache.get(message.key);
      if (partition === undefined) {
        partition = partitioner(args);
        cache.set(message.key, partition);
      }
      return partition;
    };
  };
}

/**
 * A producer with the murmur2 partitioner of the Java client, so keys land where other clients
 * put them; its batches compressed with `compression` (KAFKA_COMPRESSION) unless a send says otherwise.
 */
export function createProducer(kafka: Kafka, config: ProducerConfig = {}, compression: Compression = 'none'): Producer {
  const producer = kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...config });
  const type = COMPRESSION_TYPES[compression];
  if (type === CompressionTypes.None) return producer;
  // kafkajs takes the compression per request, not per producer.
  const send = producer.send.bind(producer);
  const sendBatch = producer.sendBatch.bind(producer);
  const transaction = producer.transaction.bind(producer);
  return Object.assign(producer, {
    send: (record: Parameters<Producer['send']>[0]) => send({ compression: type, ...record }),
    sendBatch: (batch: Parameters<Producer['sendBatch']>[0]) => sendBatch({ compression: type, ...batch }),
    // A transaction's sends too (the snapshot publisher writes in transactions).
    transaction: async () => {
      const tx = await transaction();
      const txSend = tx.send.bind(tx);
      const txSendBatch = tx.sendBatch.bind(tx);
      return Object.assign(tx, {
        send: (record: Parameters<Producer['send']>[0]) => txSend({ compression: type, ...record }),
        sendBatch: (batch: Parameters<Producer['sendBatch']>[0]) => txSendBatch({ compression: type, ...batch }),
      });
    },
  });
}

export type TopicSpec = { topic: string; numPartitions: number; configEntries?: ITopicConfig['configEntries'] };

const LEADERS_TIMEOUT_MS = 30_000;

/**
 * Creates the topics that do not exist yet (existing topics are left as they are), then waits
 * until every partition has a leader. kafkajs's own `waitForLeaders` gives up on the
 * UNKNOWN_TOPIC_OR_PARTITION a KRaft broker answers while metadata propagates; this retries it.
 */
export async function ensureTopics(admin: Admin, topics: TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.topic));
  if (missing.length === 0) return [];
  await admin.createTopics({ waitForLeaders: false, topics: missing.map((t) => ({ ...t, replicationFactor: -1 })) });
  const deadline = Date.now() + LEADERS_TIMEOUT_MS;
  for (let lastError = ''; ; await new Promise((r) => setTimeout(r, 100))) {
    try {
      const { topics: metadata } = await admin.fetchTopicMetadata({ topics: missing.map((t) => t.topic) });
      const ready = missing.every((t) => {
        const partitions = metadata.find((m) => m.name === t.topic)?.partitions ?? [];
        return partitions.length === t.numPartitions && partitions.every((p) => p.leader >= 0);
      });
      if (ready) return missing.map((t) => t.topic);
      lastError = 'partitions without a leader';
    } catch (error) {
      lastError = (error as Error).message;
    }
    if (Date.now() > deadline)
      throw new Error(`topics ${missing.map((t) => t.topic).join(', ')} not ready: ${lastError}`);
  }
}
