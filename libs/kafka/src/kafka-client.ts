import { Kafka, logLevel, Partitioners, type Admin, type ITopicConfig, type Producer, type ProducerConfig } from 'kafkajs';

export type KafkaClientOptions = {
  brokers: string[];
  clientId: string;
  /** Per-request connection timeout; short by default so an absent broker is noticed quickly. */
  connectionTimeout?: number;
  retries?: number;
  /** kafkajs's own logging; probes silence it, since a refused connection is their answer. */
  quiet?: boolean;
};

export function createKafka(options: KafkaClientOptions): Kafka {
  return new Kafka({
    clientId: options.clientId,
    brokers: options.brokers,
    connectionTimeout: options.connectionTimeout ?? 3_000,
    requestTimeout: 30_000,
    logLevel: options.quiet ? logLevel.NOTHING : logLevel.WARN,
    retry: { retries: options.retries ?? 8, initialRetryTime: 100, maxRetryTime: 5_000 },
  });
}

/** A producer with the murmur2 partitioner of the Java client, so keys land where other clients put them. */
export function createProducer(kafka: Kafka, config: ProducerConfig = {}): Producer {
  return kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner, ...config });
}

export type TopicSpec = { topic: string; numPartitions: number; configEntries?: ITopicConfig['configEntries'] };

/** Creates the topics that do not exist yet; existing topics are left as they are. */
export async function ensureTopics(admin: Admin, topics: TopicSpec[]): Promise<string[]> {
  const existing = new Set(await admin.listTopics());
  const missing = topics.filter((t) => !existing.has(t.topic));
  if (missing.length === 0) return [];
  await admin.createTopics({
    waitForLeaders: true,
    topics: missing.map((t) => ({ ...t, replicationFactor: -1 })),
  });
  return missing.map((t) => t.topic);
}
