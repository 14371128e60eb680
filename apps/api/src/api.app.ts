import { dirname, join } from 'node:path';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type EnvSource, projectRoot } from '@caravan/config';
import { createApp } from '@caravan/runtime';
import { ApiModule } from './api.module';

/** The dashboard's page and assets: scripts and styles from this origin only, no inline script, no framing. */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The api app, not listening yet: routes, the JSON error filter, the dashboard, the interactive page's assets. */
export async function createApiApp(env?: EnvSource): Promise<NestExpressApplication> {
  const app = (await createApp(ApiModule.forRoot(env))) as NestExpressApplication;
  // The dashboard at / (npm run build bundles it into dist/dashboard): hashed assets kept a year,
  // the page itself revalidated so a new build is picked up.
  app.useStaticAssets(join(projectRoot(), 'dist', 'dashboard'), {
    index: 'index.html',
    setHeaders: (res, path) => {
      res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
      res.setHeader('X-Content-Type-Options', 'nosniff');
      res.setHeader('Referrer-Policy', 'no-referrer');
      res.setHeader('Cache-Control', /[\\/]assets[\\/]/.test(path) ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  // Swagger UI's files from the swagger-ui-dist package: the page needs no network.
  app.useStaticAssets(dirname(require.resolve('swagger-ui-dist/package.json')), { prefix: '/docs/assets/' });
  return app;
}
