import 'reflect-metadata';
import { listen, runMain } from '@caravan/runtime';
import { createIngestorApp } from './ingestor.app';

runMain(async () => {
  const app = await createIngestorApp();
  // Modules first (migrations, rates), then the consumer.
  await app.init();
  await app.startAllMicroservices();
  await listen(app);
});
