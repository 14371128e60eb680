import { type DynamicModule, type INestApplication, Logger } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { CONFIG, type CaravanConfig } from '@caravan/config';

/** Creates an HTTP app from its root module, with shutdown hooks; not listening yet. */
export async function createApp(root: DynamicModule): Promise<INestApplication> {
  // Start-up logs wait in a buffer until the configured level is known.
  const app = await NestFactory.create(root, { abortOnError: false, bufferLogs: true });
  app.useLogger(nestLogLevels(app.get<CaravanConfig>(CONFIG).logLevel));
  app.enableShutdownHooks();
  return app;
}

const LEVELS = ['fatal', 'error', 'warn', 'log', 'debug', 'verbose'] as const;

/** Nest's levels at and above LOG_LEVEL (info is Nest's `log`, trace its `verbose`). */
export function nestLogLevels(level: CaravanConfig['logLevel']): Array<(typeof LEVELS)[number]> {
  const nest = level === 'info' ? 'log' : level === 'trace' ? 'verbose' : level;
  return LEVELS.slice(0, LEVELS.indexOf(nest) + 1);
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
