import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import type { Pool } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { PG_POOL } from '@caravan/database';
import { createProducer, KAFKA } from '@caravan/kafka';
import { DlqRelay } from './dlq-relay';

/**
 * The dead-letter outbox of the ingestor: the relay from PostgreSQL's rejections to the DLQ topic, and its producer.
 */
@Injectable()
export class DeadLetterOutbox implements OnModuleDestroy {
  private readonly producer: Producer;
  private readonly relay: DlqRelay;
  private started = false;

  constructor(
    @Inject(PG_POOL) pool: Pool,
    @Inject(KAFKA) kafka: Kafka,
    @Inject(CONFIG) private readonly config: CaravanConfig,
  ) {
    // Few retries: the relay holds its rows locked while it sends; what fails waits for the next run.
    this.producer = createProducer(kafka, { retry: { retries: 3, maxRetryTime: 2_000 } }, config.kafka.compression);
    this.relay = new DlqRelay(pool, this.producer, config.topics.dlq, new Logger('Ingest'));
  }

  /** Relays every DLQ_RELAY_INTERVAL_MS from now on (once PostgreSQL is ready). */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.relay.start(this.config.ingest.dlqRelayIntervalMs);
  }

  /** New rejections were stored: relay them now (or right after the run in progress). */
  kick(): void {
    if (this.started) this.relay.kick();
  }

  async onModuleDestroy(): Promise<void> {
    await this.relay.stop();
    await this.producer.disconnect().catch(() => undefined);
  }
}
