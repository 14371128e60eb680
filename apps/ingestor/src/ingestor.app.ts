import type { INestApplication } from '@nestjs/common';
import { CONFIG, type CaravanConfig, type EnvSource } from '@caravan/config';
import { IngestService } from '@caravan/ingest';
import { KAFKA, KafkaBatchServer } from '@caravan/kafka';
import type { Kafka } from 'kafkajs';
import { createApp } from '@caravan/runtime';
import { INGEST_BATCH } from './ingest.controller';
import { IngestorModule } from './ingestor.module';

/** The ingestor: HTTP probes plus the batch consumer of the inbound topics as a Nest microservice. */
export async function createIngestorApp(env?: EnvSource): Promise<INestApplication> {
  const app = await createApp(IngestorModule.forRoot(env));
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
  return app;
}
