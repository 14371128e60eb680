import type { INestApplication } from '@nestjs/common';
import type { EnvSource } from '@caravan/config';
import { connectIngestConsumer } from '@caravan/ingest';
import { createApp } from '@caravan/runtime';
import { IngestorModule } from './ingestor.module';

/** The ingestor: HTTP probes plus the batch consumer of the inbound topics as a Nest microservice. */
export async function createIngestorApp(env?: EnvSource): Promise<INestApplication> {
  const app = await createApp(IngestorModule.forRoot(env));
  connectIngestConsumer(app);
  return app;
}
