import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { isObservable, lastValueFrom } from 'rxjs';
import type { KafkaConnection } from '@caravan/config';
import { type LoopHandle, loops, readinessChecks } from '@caravan/observability';
import { PartitionCoverage } from './partition-coverage';
import { explainKafkaError } from './kafka-log';

export type TopicPartition = { topic: string; partition: number };

/** One partition's batch, handed to the handler registered for the server's pattern. */
/**
 * One consumed record, from the transport to the store: it names its topic and partition, so it can be passed on as it
 * is.
 */
export type KafkaRecord = {
  topic: string;
  partition: number;
  offset: string;
  key: Buffer | null;
  value: Buffer | null;
  timestamp: string;
};

export type PartitionBatch = TopicPartition & {
  records: KafkaRecord[];
  /**
   * The offsets the batch accounts for, [fromOffset, nextOffset): beyond its records, the control
   * records of transactions and aborted records around them, which kafkajs does not hand in.
   */
  fromOffset: string;
  nextOffset: string;
  /** The partition's high watermark when fetched: a stored offset beyond it means the log went backwards. */
  highWatermark: string;
};

/**
 * What the handler decided: durably handled up to `nextOffset`; read again from `seekTo`; or stop reading the
 * partition.
 */
export type BatchDecision =
  { done: true; nextOffset: string } | { done: false; seekTo: string } | { done: false; pause: true };

export type PartitionOffset = TopicPartition & { offset: string };

/** Where to start in newly assigned partitions, and which of them not to read at all for now. */
export type AssignmentPlan = { seek: PartitionOffset[]; pause: TopicPartition[] };

export type KafkaBatchServerOptions = {
  kafka: Kafka;
  /** Who `kafka` connects as, named when the cluster refuses it. */
  connection?: KafkaConnection;
  groupId: string;
  topics: string[];
  /** The @MessagePattern of the handler that receives PartitionBatch and returns BatchDecision. */
  pattern: string;
  partitionsConsumedConcurrently: number;
  maxBytesPerPartition: number;
  /**
   * The group session (KAFKA_SESSION_TIMEOUT_MS): a consumer killed without leaving holds its partitions this long.
   * Heartbeats go at a third of it, 3 s at most.
   */
  sessionTimeoutMs?: number;
  /** Runs before subscribing, e.g. to create the topics with the right partition count. */
  beforeSubscribe?: () => Promise<void>;
  /**
   * A fetch held only records kafkajs filters out (an aborted transaction, markers) and followed on
   * from the durable offset: the handler may make [fromOffset, nextOffset) durable without records,
   * so that lag reads 0 on a partition whose last act was an abort.
   */
  onFiltered?: (range: TopicPartition & { fromOffset: string; nextOffset: string }) => Promise<void>;
  /** The plan for newly assigned partitions (offsets kept outside Kafka); others keep Kafka's. */
  onAssigned?: (assigned: TopicPartition[]) => Promise<AssignmentPlan>;
  /** How long the consumer may show no sign of life (fetch, heartbeat, batch) before it counts as stalled. */
  stalledAfterMs?: number;
};

/** What others may ask of the running consumer (the ingestor's offset watch). */
export type ConsumerControl = {
  pause: (partitions: TopicPartition[]) => void;
  resume: (at: PartitionOffset[]) => void;
};

const RESTART_BACKOFF = { initialMs: 1_000, maxMs: 60_000 };

/**
 * A NestJS microservice transport that consumes whole batches per partition (the built-in Kafka
 * transport delivers one message per handler call) and commits a partition's offset to Kafka only
 * after the handler says the batch is durably handled. It never dies silently: a crash kafkajs
 * restarts by itself, and one it does not (a non-retriable error) is restarted here with backoff;
 * while none runs, the `consumer` loop is down (liveness fails, `caravan_loop_running` is 0).
 */
export class KafkaBatchServer extends Server implements CustomTransportStrategy, ConsumerControl {
  private consumer: Consumer | undefined;
  private closing = false;
  private restartTimer: NodeJS.Timeout | undefined;
  private failedRestarts = 0;
  /** kafkajs is restarting a crashed consumer: the next join is a restart. */
  private crashed = false;
  private readonly coverage = new PartitionCoverage();
  private readonly health: LoopHandle;

  private get sessionTimeoutMs(): number {
    return this.options.sessionTimeoutMs ?? 30_000;
  }

  private get heartbeatMs(): number {
    return Math.min(3_000, Math.floor(this.sessionTimeoutMs / 3));
  }

  constructor(private readonly options: KafkaBatchServerOptions) {
    super();
    this.health = loops.register('consumer', options.stalledAfterMs ?? 120_000);
    this.health.down('not started');
    // The ingestor is ready only while a consumer runs.
    readinessChecks.register(this.health.loop, async () => {
      const state = loops.state(this.health.loop);
      if (!state?.running) throw new Error(state?.downReason ?? 'not running');
      return 'running';
    });
  }

  /**
   * Listening at once: the consumer starts in the background and, while Kafka or what
   * `beforeSubscribe` needs (PostgreSQL) is away, is tried again with backoff; the app answers its
   * probes meanwhile (the `consumer` loop is down, with why).
   */
  async listen(callback: (error?: unknown) => void): Promise<void> {
    callback();
    void this.launch();
  }

  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.restartTimer);
    await this.consumer?.disconnect();
    this.consumer = undefined;
    loops.unregister(this.health.loop);
    readinessChecks.unregister(this.health.loop);
  }

  on(): never {
    throw new Error('KafkaBatchServer has no events to subscribe to');
  }

  unwrap<T>(): T {
    return this.consumer as T;
  }

  pause(partitions: TopicPartition[]): void {
    for (const { topic, partition } of partitions) {
      this.consumer?.pause([{ topic, partitions: [partition] }]);
      this.coverage.forget(topic, partition);
    }
  }

  resume(at: PartitionOffset[]): void {
    for (const p of at) {
      this.consumer?.resume([{ topic: p.topic, partitions: [p.partition] }]);
      this.consumer?.seek(p);
      this.coverage.durableAt(p.topic, p.partition, BigInt(p.offset));
    }
  }

  private async start(): Promise<void> {
    const o = this.options;
    const consumer = o.kafka.consumer({
      groupId: o.groupId,
      maxBytesPerPartition: o.maxBytesPerPartition,
      sessionTimeout: this.sessionTimeoutMs,
      heartbeatInterval: this.heartbeatMs,
      // Finite: an error that outlasts the retries crashes the consumer visibly (and kafkajs or
      // this server restarts it) instead of retrying forever behind a debug log line.
      retry: { retries: 10, initialRetryTime: 300, maxRetryTime: 30_000 },
    });
    this.consumer = consumer;
    this.coverage.clear();
    this.watch(consumer);
    await consumer.connect();
    await consumer.subscribe({ topics: o.topics, fromBeginning: true });
    await consumer.run({
      autoCommit: true,
      eachBatchAutoResolve: false,
      partitionsConsumedConcurrently: o.partitionsConsumedConcurrently,
      eachBatch: (payload) => this.handleBatch(payload),
    });
  }

  private watch(consumer: Consumer): void {
    const { events } = consumer;
    const alive = () => this.consumer === consumer && this.health.beat();
    for (const event of [events.HEARTBEAT, events.START_BATCH_PROCESS, events.COMMIT_OFFSETS])
      consumer.on(event, alive);
    // A fetch that came back (and decoded): the consumer works again, restarts start from a short backoff.
    consumer.on(events.FETCH, () => {
      if (this.consumer !== consumer) return;
      this.health.beat();
      this.failedRestarts = 0;
    });
    consumer.on(events.GROUP_JOIN, (event) => {
      if (this.consumer !== consumer) return;
      this.health.up(this.crashed);
      this.crashed = false;
      void this.planAssigned(consumer, event.payload.memberAssignment);
    });
    // A batch that held only transaction markers or aborted records: kafkajs moved past it itself.
    consumer.on(events.END_BATCH_PROCESS, ({ payload }) => {
      if (payload.batchSize !== 0 || this.consumer !== consumer) return;
      const { topic, partition } = payload;
      const covered = this.coverage.skippedFiltered(topic, partition, payload.firstOffset, payload.lastOffset);
      if (covered && this.options.onFiltered) void this.filtered(consumer, { topic, partition, ...covered });
    });
    consumer.on(events.CRASH, ({ payload }) => {
      if (this.consumer !== consumer || this.closing) return;
      const reason = `${payload.error.name}: ${explainKafkaError(payload.error, this.options.connection)}`;
      this.health.down(reason);
      this.health.failed(payload.error);
      if (payload.restart) {
        this.logger.error(`consumer crashed (${reason}); kafkajs restarts it`);
        this.crashed = true;
        return;
      }
      this.scheduleRestart(reason);
    });
  }

  /** Makes a run of filtered records durable, then tells Kafka too (its committed offsets are advisory). */
  private async filtered(
    consumer: Consumer,
    range: TopicPartition & { fromOffset: string; nextOffset: string },
  ): Promise<void> {
    try {
      await this.options.onFiltered?.(range);
      await consumer.commitOffsets([{ topic: range.topic, partition: range.partition, offset: range.nextOffset }]);
    } catch (error) {
      // Harmless: the next batch of the partition covers these offsets again.
      this.logger.warn?.(
        `${range.topic}[${range.partition}]: offsets ${range.fromOffset} to ${range.nextOffset} ` +
          `of filtered records not recorded yet: ${(error as Error).message}`,
      );
    }
  }

  /** Starts (or restarts) the consumer; a failure schedules the next attempt. */
  private async launch(): Promise<void> {
    if (this.closing) return;
    try {
      await this.options.beforeSubscribe?.();
      if (this.closing) return;
      await this.start();
      if (this.failedRestarts > 0)
        this.logger.log(`consumer running again after ${this.failedRestarts} failed attempt(s)`);
    } catch (error) {
      const reason = explainKafkaError(error, this.options.connection) || String(error);
      this.health.down(`not running: ${reason}`);
      this.health.failed(error);
      const old = this.consumer;
      this.consumer = undefined;
      await old?.disconnect().catch(() => undefined);
      this.scheduleRestart(`start failed: ${reason}`);
    }
  }

  /**
   * A crash kafkajs gives up on, or a start that failed: a new consumer after a backoff that grows
   * while attempts fail. Logged when it stops; the attempts that follow only at debug level.
   */
  private scheduleRestart(reason: string): void {
    if (this.closing) return;
    const delay = Math.min(RESTART_BACKOFF.maxMs, RESTART_BACKOFF.initialMs * 2 ** Math.min(this.failedRestarts, 10));
    if (this.failedRestarts === 0)
      this.logger.error(`consumer stopped (${reason}): restarting it with backoff, first in ${delay} ms`);
    else this.logger.debug?.(`consumer attempt ${this.failedRestarts} failed (${reason}): next in ${delay} ms`);
    this.failedRestarts += 1;
    clearTimeout(this.restartTimer);
    this.restartTimer = setTimeout(() => void this.restart(), delay);
  }

  private async restart(): Promise<void> {
    if (this.closing) return;
    const old = this.consumer;
    this.consumer = undefined;
    await old?.disconnect().catch(() => undefined);
    this.crashed = true;
    await this.launch();
  }

  private async handleBatch({
    batch,
    resolveOffset,
    isRunning,
    isStale,
    heartbeat,
    pause,
  }: EachBatchPayload): Promise<void> {
    if (!isRunning() || isStale() || batch.messages.length === 0) return;
    const handler = this.getHandlerByPattern(this.options.pattern);
    if (!handler) throw new Error(`no handler for ${this.options.pattern}`);
    const { topic, partition } = batch;
    const input: PartitionBatch = {
      topic,
      partition,
      records: batch.messages.map((m) => ({
        topic,
        partition,
        offset: m.offset,
        key: m.key,
        value: m.value,
        timestamp: m.timestamp,
      })),
      fromOffset: this.coverage.fromOffset(
        topic,
        partition,
        (batch as typeof batch & { fetchedOffset: string }).fetchedOffset,
      ),
      // lastOffset counts the records kafkajs filtered out (a transaction's marker after the data).
      nextOffset: (BigInt(batch.lastOffset()) + 1n).toString(),
      highWatermark: batch.highWatermark,
    };
    // The handler may wait long (PostgreSQL away): the group must not think this member dead.
    const beat = setInterval(() => void heartbeat().catch(() => undefined), this.heartbeatMs);
    let decision: BatchDecision;
    try {
      const result: unknown = await handler(input);
      decision = (isObservable(result) ? await lastValueFrom(result) : result) as BatchDecision;
    } finally {
      clearInterval(beat);
    }
    if (decision.done) {
      // Kafka's committed offset follows the durable one; it is advisory (lag, restarts), never the truth.
      resolveOffset((BigInt(decision.nextOffset) - 1n).toString());
      this.coverage.durableAt(topic, partition, BigInt(decision.nextOffset));
      await heartbeat();
    } else if ('seekTo' in decision) {
      this.consumer?.seek({ topic, partition, offset: decision.seekTo });
      this.coverage.durableAt(topic, partition, BigInt(decision.seekTo));
    } else {
      pause();
      this.coverage.forget(topic, partition);
    }
  }

  private async planAssigned(consumer: Consumer, assignment: Record<string, number[]>): Promise<void> {
    if (!this.options.onAssigned) return;
    const assigned = Object.entries(assignment).flatMap(([topic, partitions]) =>
      partitions.map((partition) => ({ topic, partition })),
    );
    try {
      const plan = await this.options.onAssigned(assigned);
      if (this.consumer !== consumer) return;
      for (const o of plan.seek) {
        consumer.seek(o);
        this.coverage.durableAt(o.topic, o.partition, BigInt(o.offset));
      }
      this.pause(plan.pause);
    } catch (error) {
      // Not fatal: a batch that starts elsewhere is detected by its handler and answered with a seek.
      this.logger.warn?.(`could not plan the assigned partitions: ${(error as Error).message}`);
    }
  }
}
