import { type DynamicModule, type INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import type { Server } from 'node:http';
import { CONFIG, type CaravanConfig, ConfigModule } from '@caravan/config';

/**
 * What every answer of every app carries (the dashboard and /docs set a CSP of their own): no
 * content sniffing, no framing, no referrer, and a CSP under which a JSON answer opened in a
 * browser can run nothing.
 */
export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'",
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
};

/** Creates an HTTP app from its root module, with shutdown hooks that exit the process; not listening yet. */
export async function createApp(root: DynamicModule): Promise<INestApplication> {
  // The server is made with the app: HTTPS when the configuration names a certificate.
  const tls = ConfigModule.configOf(root)?.http.tls;
  // Start-up logs wait in a buffer until the configured level is known; body parsing is ours, with a limit.
  const app = await NestFactory.create<NestExpressApplication>(root, {
    abortOnError: false,
    bufferLogs: true,
    bodyParser: false,
    ...(tls ? { httpsOptions: { cert: tls.cert, key: tls.key } } : {}),
  });
  const config = app.get<CaravanConfig>(CONFIG);
  app.useLogger(app.get(PinoNestLogger));
  app.disable('x-powered-by');
  const headers = { ...SECURITY_HEADERS };
  // Browsers that once reached the app over HTTPS keep to it.
  if (config.http.tls) headers['Strict-Transport-Security'] = 'max-age=31536000';
  app.use((_req: Request, res: Response, next: NextFunction) => {
    for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
    next();
  });
  applyTimeouts(app.getHttpServer() as Server, config.http.timeouts);
  app.useBodyParser('json', { limit: config.http.bodyLimitBytes });
  app.use((req: Request, res: Response, next: NextFunction) => {
    if ((req.originalUrl ?? req.url).length > config.http.urlLimitBytes) {
      res.status(414).json({
        statusCode: 414,
        error: 'URI_TOO_LONG',
        message: `the URL may have at most ${config.http.urlLimitBytes} bytes`,
      });
      return;
    }
    next();
  });
  // Closed by default: no CORS headers unless CORS_ORIGINS lists the dashboards' origins.
  if (config.http.corsOrigins.length > 0)
    app.enableCors({ origin: config.http.corsOrigins, methods: ['GET', 'POST'], maxAge: 600 });
  // On a shutdown signal Nest closes the app, then by default raises the signal again to end the
  // process; as PID 1 in a container (no init) a signal without a handler is ignored, and the
  // process would only end once its event loop drains. It exits (code 0) instead, once closed.
  app.enableShutdownHooks([], { useProcessExit: true });
  return app;
}

/**
 * Node's server timeouts: a client gets HTTP_HEADERS_TIMEOUT_MS for its headers and
 * HTTP_REQUEST_TIMEOUT_MS for the whole request (a slow-loris client holds a socket no longer), a
 * connection on which nothing moves for HTTP_IDLE_TIMEOUT_MS is closed (a live stream's
 * heartbeats keep it moving), an idle keep-alive connection is closed after HTTP_KEEP_ALIVE_TIMEOUT_MS.
 */
function applyTimeouts(server: Server, timeouts: CaravanConfig['http']['timeouts']): void {
  server.headersTimeout = timeouts.headersMs;
  server.requestTimeout = timeouts.requestMs;
  server.keepAliveTimeout = timeouts.keepAliveMs;
  server.setTimeout(timeouts.idleMs, (socket) => socket.destroy());
}

/** Listens where the config says. */
export async function listen(app: INestApplication): Promise<void> {
  const config = app.get<CaravanConfig>(CONFIG);
  await app.listen(config.http.port, config.http.host);
  const scheme = config.http.tls ? 'https' : 'http';
  new Logger('Caravan').log(`${config.app} listening on ${scheme}://${config.http.host}:${config.http.port}`);
}

export async function startApp(root: DynamicModule): Promise<INestApplication> {
  const app = await createApp(root);
  await listen(app);
  return app;
}

/** Entry point wrapper: a start-up failure prints one clear line and exits non-zero. */
export function runMain(main: () => Promise<unknown>): void {
  main().catch((error: unknown) => {
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`caravan: start-up failed: ${message}\n`);
    process.exit(1);
  });
}
