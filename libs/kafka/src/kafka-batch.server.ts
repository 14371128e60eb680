import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { isObservable, lastValueFrom } from 'rxjs';

/** One partition's batch, handed to the handler registered for the server's pattern. */
export type PartitionBatch = {
  topic: string;
  partition: number;
  /** Each record names its topic and partition too, so the handler can pass them on as they are. */
  records: Array<{ topic: string; partition: number; offset: string; key: Buffer | null; value: Buffer | null; timestamp: string }>;
};

/** What the handler decided: the batch is durably handled up to `nextOffset`, or read again from `seekTo`. */
export type BatchDecision = { done: true; nextOffset: string } | { done: false; seekTo: string };

export type PartitionOffset = { topic: string; partition: number; offset: string };

export type KafkaBatchServerOptions = {
  kafka: Kafka;
  groupId: string;
  topics: string[];
  /** The @MessagePattern of the handler that receives PartitionBatch and returns BatchDecision. */
  pattern: string;
  partitionsConsumedConcurrently: number;
  maxBytesPerPartition: number;
  /** Runs before subscribing, e.g. to create the topics with the right partition count. */
  beforeSubscribe?: () => Promise<void>;
  /** Where to start in newly assigned partitions (offsets kept outside Kafka); others keep Kafka's. */
  startOffsets?: (assigned: Array<{ topic: string; partition: number }>) => Promise<PartitionOffset[]>;
};

/**
 * A NestJS microservice transport that consumes whole batches per partition (the built-in Kafka
 * transport delivers one message per handler call) and commits a partition's offset to Kafka only
 * after the handler says the batch is durably handled.
 */
export class KafkaBatchServer extends Server implements CustomTransportStrategy {
  private consumer: Consumer | undefined;

  constructor(private readonly options: KafkaBatchServerOptions) {
    super();
  }

  async listen(callback: (error?: unknown) => void): Promise<void> {
    try {
      const o = this.options;
      const consumer = o.kafka.consumer({
        groupId: o.groupId,
        maxBytesPerPartition: o.maxBytesPerPartition,
        sessionTimeout: 30_000,
        heartbeatInterval: 3_000,
        retry: { retries: Number.MAX_SAFE_INTEGER, initialRetryTime: 300, maxRetryTime: 10_000 },
      });
      this.consumer = consumer;
      consumer.on(consumer.events.GROUP_JOIN, (event) => void this.seekAssigned(consumer, event.payload.memberAssignment));
      await o.beforeSubscribe?.();
      await consumer.connect();
      await consumer.subscribe({ topics: o.topics, fromBeginning: true });
      await consumer.run({
        autoCommit: true,
        eachBatchAutoResolve: false,
        partitionsConsumedConcurrently: o.partitionsConsumedConcurrently,
        eachBatch: (payload) => this.handleBatch(payload),
      });
      callback();
    } catch (error) {
      callback(error);
    }
  }

  async close(): Promise<void> {
    await this.consumer?.disconnect();
    this.consumer = undefined;
  }

  on(): never {
    throw new Error('KafkaBatchServer has no events to subscribe to');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  private async handleBatch({ batch, resolveOffset, isRunning, isStale, heartbeat }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const handler = this.getHandlerByPattern(this.options.pattern);
    if (!handler) throw new Error(`no handler for ${this.options.pattern}`);
    const input: PartitionBatch = {
      topic: batch.topic,
      partition: batch.partition,
      records: batch.messages.map((m) => ({ topic: batch.topic, partition: batch.partition, offset: m.offset, key: m.key, value: m.value, timestamp: m.timestamp })),
    };
    const result: unknown = await handler(input);
    const decision = (isObservable(result) ? await lastValueFrom(result) : result) as BatchDecision;
    if (decision.done) {
      // Kafka's committed offset follows the durable one; it is advisory (lag, restarts), never the truth.
      resolveOffset((BigInt(decision.nextOffset) - 1n).toString());
      await heartbeat();
    } else {
      this.consumer?.seek({ topic: batch.topic, partition: batch.partition, offset: decision.seekTo });
    }
  }

  private async seekAssigned(consumer: Consumer, assignment: Record<string, number[]>): Promise<void> {
    if (!this.options.startOffsets) return;
    const assigned = Object.entries(assignment).flatMap(([topic, partitions]) => partitions.map((partition) => ({ topic, partition })));
    try {
      for (const o of await this.options.startOffsets(assigned)) consumer.seek(o);
    } catch (error) {
      // Not fatal: a batch that starts elsewhere is detected by its handler and answered with a seek.
      this.logger.warn?.(`could not read start offsets: ${(error as Error).message}`);
    }
  }
}
