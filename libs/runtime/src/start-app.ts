import { Logger, type DynamicModule } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { INestApplication } from '@nestjs/common';
import type { CaravanConfig } from '@caravan/config';
import { CONFIG } from '@caravan/config';

/** Creates an HTTP app from its root module, with shutdown hooks, listening where the config says. */
export async function startApp(root: DynamicModule): Promise<INestApplication> {
  const app = await NestFactory.create(root, { bufferLogs: false, abortOnError: false });
  app.enableShutdownHooks();
  const config = app.get<CaravanConfig>(CONFIG);
  await app.listen(config.http.port, config.http.host);
  new Logger('Caravan').log(`${config.app} listening on http://${config.http.host}:${config.http.port}`);
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
