import { Inject, Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import type { Kafka, Producer } from 'kafkajs';
import type { Pool } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { PG_POOL } from '@caravan/database';
import { createProducer, ensureTopics, KAFKA } from '@caravan/kafka';
import { SnapshotPublisher } from './snapshot-publisher';

/** Publishes changed KPI snapshots at most every SNAPSHOT_INTERVAL_MS. */
@Injectable()
export class PublisherService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger('Publisher');
  private readonly producer: Producer;
  private readonly publisher: SnapshotPublisher;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private admin: ReturnType<Kafka['admin']> | undefined;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(CONFIG) private readonly config: CaravanConfig,
  ) {
    this.producer = createProducer(kafka, {}, config.kafka.compression);
    this.publisher = new SnapshotPublisher(pool, this.producer, config.topics.snapshots, config.timeZone);
  }

  async onApplicationBootstrap(): Promise<void> {
    this.running = this.start().catch((e: Error) => this.logger.error(`publisher stopped: ${e.message}`));
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.admin?.disconnect().catch(() => undefined);
    // A start still waiting for Kafka is not waited for long: nothing of it needs finishing.
    await Promise.race([this.running, new Promise((r) => setTimeout(r, 3_000).unref())]);
    await this.producer.disconnect().catch(() => undefined);
  }

  private async start(): Promise<void> {
    const admin = this.kafka.admin();
    this.admin = admin;
    await admin.connect();
    try {
      await ensureTopics(admin, [
        { topic: this.config.topics.snapshots, numPartitions: this.config.kafka.topicPartitions, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
      ]);
    } finally {
      await admin.disconnect();
    }
    await this.producer.connect();
    await this.tick();
  }

  private async tick(): Promise<void> {
    if (this.stopped) return;
    const started = Date.now();
    try {
      const result = await this.publisher.publishChanges();
      if (result.published > 0) this.logger.log(`published ${result.published} of ${result.computed} snapshots at position ${result.position}`);
    } catch (error) {
      this.logger.warn(`snapshot run failed: ${(error as Error).message}`);
    }
    if (this.stopped) return;
    const wait = Math.max(0, this.config.publisher.intervalMs - (Date.now() - started));
    this.timer = setTimeout(() => {
      this.running = this.tick();
    }, wait);
  }
}
