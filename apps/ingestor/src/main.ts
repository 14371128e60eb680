import 'reflect-metadata';
import { listen, runMain } from '@caravan/runtime';
import { createIngestorApp } from './ingestor.app';

runMain(async () => {
  const app = await createIngestorApp();
  await app.startAllMicroservices();
  await listen(app);
});
