import { type DynamicModule, type INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Logger as PinoNestLogger } from 'nestjs-pino';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { NextFunction, Request, Response } from 'express';
import { CONFIG, type CaravanConfig } from '@caravan/config';

/** Creates an HTTP app from its root module, with shutdown hooks that exit the process; not listening yet. */
export async function createApp(root: DynamicModule): Promise<INestApplication> {
  // Start-up logs wait in a buffer until the configured level is known; body parsing is ours, with a limit.
  const app = await NestFactory.create<NestExpressApplication>(root, {
    abortOnError: false,
    bufferLogs: true,
    bodyParser: false,
  });
  const config = app.get<CaravanConfig>(CONFIG);
  app.useLogger(app.get(PinoNestLogger));
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

/** Listens where the config says. */
export async function listen(app: INestApplication): Promise<void> {
  const config = app.get<CaravanConfig>(CONFIG);
  await app.listen(config.http.port, config.http.host);
  new Logger('Caravan').log(`${config.app} listening on http://${config.http.host}:${config.http.port}`);
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
