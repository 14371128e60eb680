import type { Kafka, Message, Producer, RecordMetadata } from 'kafkajs';
import { eventRegistry, type TopicNames, type TopicRole } from '@caravan/contract';
import type { Compression } from './codecs';
import { createProducer } from './kafka-client';

/** A record for the inbound topic of a role, with its key and exact bytes. */
export type RoleRecord = { role: TopicRole; key: string | null; value: Buffer };

/** An envelope as producers send it (any type; routed by the registry). */
export type OutgoingEvent = {
  type: string;
  data: Record<string, unknown>;
  eventId: string;
  version: number;
  occurredAt: string;
  producer: string;
};

/**
 * Writes events to their inbound topic with the key of their type (bookingId, port, campaign),
 * in batches; the helper producers, tests and the simulator share.
 */
export class EventProducer {
  private readonly producer: Producer;

  constructor(
    kafka: Kafka,
    private readonly topics: Pick<TopicNames, TopicRole>,
    compression: Compression = 'none',
  ) {
    // Idempotent, one request in flight: a send retried after a lost answer or a leader change
    // (a new topic's first seconds) is written once and in order, so what a test, the simulator or
    // an import sent is exactly what lands on the topic.
    this.producer = createProducer(kafka, { idempotent: true, maxInFlightRequests: 1 }, compression);
  }

  connect(): Promise<void> {
    return this.producer.connect();
  }

  disconnect(): Promise<void> {
    return this.producer.disconnect();
  }

  /** The topic and message of one event. */
  static toMessage(event: OutgoingEvent, topics: Pick<TopicNames, TopicRole>): { topic: string; message: Message } {
    const definition = eventRegistry.get(event.type);
    if (!definition) throw new Error(`unknown event type ${event.type}`);
    return {
      topic: topics[definition.topic],
      message: { key: eventRegistry.keyOf(event.type, event.data), value: JSON.stringify(event) },
    };
  }

  /** Sends events in chunks of `chunkSize`, each chunk one request per topic. */
  async send(events: OutgoingEvent[], chunkSize = 2_000): Promise<RecordMetadata[]> {
    const results: RecordMetadata[] = [];
    for (let i = 0; i < events.length; i += chunkSize) {
      const byTopic = new Map<string, Message[]>();
      for (const event of events.slice(i, i + chunkSize)) {
        const { topic, message } = EventProducer.toMessage(event, this.topics);
        const messages = byTopic.get(topic);
        if (messages) messages.push(message);
        else byTopic.set(topic, [message]);
      }
      results.push(
        ...(await this.producer.sendBatch({
          topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })),
        })),
      );
    }
    return results;
  }

  /**
   * Sends raw records (simulated, imported or crafted bytes) to the inbound topic of their role, in
   * chunks small enough that a partition's share stays under the broker's 1 MB, one request per topic.
   */
  async sendToRoles(records: ReadonlyArray<RoleRecord>, chunkSize = 500): Promise<void> {
    for (let i = 0; i < records.length; i += chunkSize) {
      const byTopic = new Map<string, Message[]>();
      for (const r of records.slice(i, i + chunkSize)) {
        const topic = this.topics[r.role];
        const messages = byTopic.get(topic);
        if (messages) messages.push({ key: r.key, value: r.value });
        else byTopic.set(topic, [{ key: r.key, value: r.value }]);
      }
      await this.producer.sendBatch({ topicMessages: [...byTopic].map(([topic, messages]) => ({ topic, messages })) });
    }
  }
}
