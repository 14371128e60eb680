import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { CONFIG, type CaravanConfig } from '@caravan/config';

/** Structured JSON logs (pino) at LOG_LEVEL, each line with the app and process; probes and scrapes not logged. */
export const LoggingModule = LoggerModule.forRootAsync({
  inject: [CONFIG],
  useFactory: (config: CaravanConfig) => ({
    pinoHttp: {
      level: config.logLevel,
      base: { app: config.app, pid: process.pid },
      redact: ['req.headers.authorization'],
      autoLogging: {
        ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/health') || req.url === '/metrics',
      },
    },
  }),
});
