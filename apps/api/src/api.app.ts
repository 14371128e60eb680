import { dirname } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { EnvSource } from '@caravan/config';
import { createApp } from '@caravan/runtime';
import { ApiModule } from './api.module';

/** The api app, not listening yet: routes, the JSON error filter, the interactive page's assets. */
export async function createApiApp(env?: EnvSource): Promise<NestExpressApplication> {
  const app = (await createApp(ApiModule.forRoot(env))) as NestExpressApplication;
  // Swagger UI's files from the swagger-ui-dist package: the page needs no network.
  app.useStaticAssets(dirname(require.resolve('swagger-ui-dist/package.json')), { prefix: '/docs/assets/' });
  return app;
}
