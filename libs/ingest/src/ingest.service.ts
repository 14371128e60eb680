import { Inject, Injectable, Logger, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import type { Pool } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { validateRecord } from '@caravan/contract';
import { PG_POOL } from '@caravan/database';
import { type BatchDecision, createProducer, ensureTopics, KAFKA, type PartitionBatch, type PartitionOffset } from '@caravan/kafka';
import { ingestBatchSeconds, ingestBatchSize } from '@caravan/observability';
import { CurrencyRateValidity } from './currency-rates';
import { DlqRelay } from './dlq-relay';
import { GroupCommit } from './group-commit';
import { ingestBatches } from './ingest-batch';

/** At most this many records in one ingest transaction (the batches of several partitions together). */
const MAX_RECORDS_PER_TRANSACTION = 20_000;

const RATES_REFRESH_MS = 30_000;

/** The ingestor's work: topics, batches into the event store, the dead-letter outbox. */
@Injectable()
export class IngestService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger('Ingest');
  private readonly rates: CurrencyRateValidity;
  private readonly producer: Producer;
  private readonly relay: DlqRelay;
  private readonly groupCommit: GroupCommit;
  private ratesTimer: NodeJS.Timeout | undefined;
  /** Partitions already sent back once to the offset PostgreSQL expects (see `gap`). */
  private readonly soughtOnce = new Map<string, bigint>();

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(CONFIG) private readonly config: CaravanConfig,
  ) {
    this.rates = new CurrencyRateValidity(pool);
    // Few retries: the relay holds its rows locked while it sends; what fails waits for the next run.
    this.producer = createProducer(kafka, { retry: { retries: 3, maxRetryTime: 2_000 } });
    this.relay = new DlqRelay(pool, this.producer, config.topics.dlq, this.logger);
    this.groupCommit = new GroupCommit((inputs) => ingestBatches(pool, inputs, { hasRate: this.rates.hasRate }), MAX_RECORDS_PER_TRANSACTION);
  }

  get inboundTopics(): string[] {
    const t = this.config.topics;
    return [t.bookings, t.arrivals, t.media];
  }

  async onModuleInit(): Promise<void> {
    await this.rates.refresh();
    this.ratesTimer = setInterval(() => void this.rates.refresh().catch(() => undefined), RATES_REFRESH_MS);
    this.ratesTimer.unref();
    this.relay.start(this.config.ingest.dlqRelayIntervalMs);
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.ratesTimer);
    await this.relay.stop();
    await this.producer.disconnect().catch(() => undefined);
  }

  /** One partition's batch: ingested in one transaction, or answered with where to read from. */
  async handleBatch(batch: PartitionBatch): Promise<BatchDecision> {
    const key = `${batch.topic}:${batch.partition}`;
    const started = Date.now();
    await this.rates.ensureLoaded();
    // Validated now, outside the transaction: while one group of batches is in PostgreSQL, the
    // next ones are validated.
    const nowMs = Date.now();
    const validated = batch.records.map((r) => validateRecord(r.value, { nowMs, hasRate: this.rates.hasRate }));
    const result = await this.groupCommit.submit({
      group: this.config.ingest.groupId,
      topic: batch.topic,
      partition: batch.partition,
      records: batch.records,
      acceptGap: this.soughtOnce.has(key),
      validated,
    });
    if (result.kind === 'gap') {
      // Once back to where PostgreSQL says; if the records there are gone (retention), the next
      // batch again starts later and is accepted with the gap.
      this.logger.warn(`${key}: batch starts at ${result.firstOffset}, PostgreSQL expects ${result.expectedOffset}: seeking back`);
      this.soughtOnce.set(key, result.expectedOffset);
      return { done: false, seekTo: result.expectedOffset.toString() };
    }
    this.soughtOnce.delete(key);
    if (result.kind === 'ingested') {
      ingestBatchSize.observe(result.consumed);
      ingestBatchSeconds.observe((Date.now() - started) / 1000);
      if (result.rejected > 0) this.relay.kick();
      // One line per batch, with where it came from and where it ends: grep-able by topic, partition, offsets.
      this.logger.debug({
        msg: 'batch ingested',
        topic: batch.topic,
        partition: batch.partition,
        firstOffset: batch.records[0]?.offset,
        nextOffset: result.nextOffset.toString(),
        consumed: result.consumed,
        accepted: result.accepted,
        duplicate: result.duplicate,
        rejected: result.rejected,
        redelivered: result.skipped,
        ms: Date.now() - started,
      });
    }
    return { done: true, nextOffset: result.nextOffset.toString() };
  }

  /** Where to resume each newly assigned partition: PostgreSQL's offsets, the truth of what is stored. */
  async startOffsets(assigned: Array<{ topic: string; partition: number }>): Promise<PartitionOffset[]> {
    if (assigned.length === 0) return [];
    const { rows } = await this.pool.query<{ topic: string; partition: number; next_offset: string }>(
      `SELECT o.topic, o.partition, o.next_offset
       FROM ingest_offsets o
       JOIN unnest($2::text[], $3::int[]) AS a(topic, partition) ON a.topic = o.topic AND a.partition = o.partition
       WHERE o.consumer_group = $1 AND o.next_offset >= 0`,
      [this.config.ingest.groupId, assigned.map((a) => a.topic), assigned.map((a) => a.partition)],
    );
    return rows.map((r) => ({ topic: r.topic, partition: r.partition, offset: r.next_offset }));
  }

  /** Creates the inbound and dead-letter topics when missing, before the consumer subscribes. */
  async ensureTopics(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const partitions = this.config.kafka.topicPartitions;
      const created = await ensureTopics(admin, [
        ...this.inboundTopics.map((topic) => ({ topic, numPartitions: partitions })),
        { topic: this.config.topics.dlq, numPartitions: partitions },
      ]);
      if (created.length > 0) this.logger.log(`created topics ${created.join(', ')}`);
    } finally {
      await admin.disconnect();
    }
  }
}
