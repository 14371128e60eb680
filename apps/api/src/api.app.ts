import { existsSync } from 'node:fs';
import type { ServerResponse } from 'node:http';
import { dirname, extname, join } from 'node:path';
import type { NextFunction, Request, Response } from 'express';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { type EnvSource, projectRoot } from '@caravan/config';
import { AdminAudit } from '@caravan/http-api';
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

/** The api app, not listening yet: routes, the admin audit, the JSON error filter, the dashboard, the interactive page's assets. */
export async function createApiApp(env?: EnvSource): Promise<NestExpressApplication> {
  const app = (await createApp(ApiModule.forRoot(env))) as NestExpressApplication;
  // Before the routes: every admin request gets its audit row, whatever answers it.
  app.use('/v1/admin', app.get(AdminAudit).middleware());
  const dashboard = join(projectRoot(), 'dist', 'dashboard');
  app.use('/assets', precompressed(join(dashboard, 'assets')));
  // The dashboard at / (npm run build bundles it into dist/dashboard): hashed assets kept a year,
  // the page itself revalidated so a new build is picked up.
  app.useStaticAssets(dashboard, {
    index: 'index.html',
    setHeaders: (res, path) => {
      dashboardHeaders(res, /[\\/]assets[\\/]/.test(path));
    },
  });
  // Swagger UI's files from the swagger-ui-dist package: the page needs no network.
  app.useStaticAssets(dirname(require.resolve('swagger-ui-dist/package.json')), { prefix: '/docs/assets/' });
  return app;
}

function dashboardHeaders(res: ServerResponse, asset: boolean): void {
  res.setHeader('Content-Security-Policy', DASHBOARD_CSP);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cache-Control', asset ? 'public, max-age=31536000, immutable' : 'no-cache');
  // The same URL is sent compressed or not: caches keep both.
  if (asset) res.setHeader('Vary', 'Accept-Encoding');
}

/** The bundle's gzip twin (written by the build) to a browser that accepts gzip; anything else to express.static. */
function precompressed(dir: string): (req: Request, res: Response, next: NextFunction) => void {
  return (req, res, next) => {
    const name = req.path.slice(1);
    if (
      (req.method !== 'GET' && req.method !== 'HEAD') ||
      !/^[\w-]+\.(js|css)$/.test(name) ||
      !/\bgzip\b/.test(req.headers['accept-encoding'] ?? '')
    )
      return next();
    const file = join(dir, `${name}.gz`);
    if (!existsSync(file)) return next();
    dashboardHeaders(res, true);
    res.setHeader('Content-Encoding', 'gzip');
    res.type(extname(name));
    res.sendFile(file, (error) => error && next(error));
  };
}
