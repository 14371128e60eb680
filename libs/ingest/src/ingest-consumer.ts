import { Controller, type INestApplication } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import type { Kafka } from 'kafkajs';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { type BatchDecision, KAFKA, KafkaBatchServer, type PartitionBatch } from '@caravan/kafka';
import { IngestService } from './ingest.service';

/** The message pattern of a partition's batch, between the consumer (transport) and its handler. */
export const INGEST_BATCH = 'ingest.batch';

/** Hands each partition's batch the consumer fetched to the ingest path; answers what to do next. */
@Controller()
export class IngestController {
  constructor(private readonly ingest: IngestService) {}

  @MessagePattern(INGEST_BATCH)
  handle(@Payload() batch: PartitionBatch): Promise<BatchDecision> {
    return this.ingest.handleBatch(batch);
  }
}

/**
 * Connects the batch consumer of the inbound topics to an app holding IngestModule, as a Nest
 * microservice: before it subscribes, PostgreSQL is ready and the topics exist; on assignment it
 * seeks to PostgreSQL's offsets; offsets holding only filtered records are covered without records.
 */
export function connectIngestConsumer(app: INestApplication): void {
  const config = app.get<CaravanConfig>(CONFIG);
  const ingest = app.get(IngestService);
  const consumer = new KafkaBatchServer({
    kafka: app.get<Kafka>(KAFKA),
    connection: config.kafka,
    groupId: config.ingest.groupId,
    topics: ingest.inboundTopics,
    pattern: INGEST_BATCH,
    partitionsConsumedConcurrently: config.ingest.concurrency,
    maxBytesPerPartition: config.ingest.maxBytesPerPartition,
    sessionTimeoutMs: config.kafka.sessionTimeoutMs,
    beforeSubscribe: () => ingest.ensureTopics(),
    onAssigned: (assigned) => ingest.onAssigned(assigned),
    onFiltered: (range) => ingest.coverFiltered(range),
  });
  ingest.attachConsumer(consumer);
  app.connectMicroservice({ strategy: consumer }, { inheritAppConfig: true });
}
