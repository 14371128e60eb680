import { Inject, Injectable, Logger } from '@nestjs/common';
import type { Kafka } from 'kafkajs';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { ensureTopics, KAFKA } from '@caravan/kafka';

/** The topics the ingestor reads (and the dead-letter topic it writes), created when missing. */
@Injectable()
export class InboundTopics {
  private readonly logger = new Logger('Ingest');

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    @Inject(CONFIG) private readonly config: CaravanConfig,
  ) {}

  get names(): string[] {
    const t = this.config.topics;
    return [t.bookings, t.arrivals, t.media];
  }

  /** Creates the inbound and dead-letter topics that are missing, with TOPIC_PARTITIONS partitions. */
  async ensureCreated(): Promise<void> {
    const admin = this.kafka.admin();
    await admin.connect();
    try {
      const partitions = this.config.kafka.topicPartitions;
      const created = await ensureTopics(admin, [
        ...this.names.map((topic) => ({ topic, numPartitions: partitions })),
        { topic: this.config.topics.dlq, numPartitions: partitions },
      ]);
      if (created.length > 0) this.logger.log(`created topics ${created.join(', ')}`);
    } finally {
      await admin.disconnect();
    }
  }
}
