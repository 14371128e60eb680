import type { IncomingMessage } from 'node:http';
import { LoggerModule } from 'nestjs-pino';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { redactTokens } from '@caravan/contract';

/** Query parameters whose values are secrets by name, wherever a client put them. */
const SECRET_PARAMS = /^(?:token|access_token|api_key|apikey|key|secret|password|authorization)$/i;

/**
 * A request URL as logged: the values of secret-named parameters, anything shaped like an admin
 * token, and the configured ADMIN_TOKEN replaced (a client that pastes a token into a URL does
 * not get it written to the logs).
 */
export function loggableUrl(url: string, adminToken?: string): string {
  const [path = '', query] = url.split(/\?(.*)/s);
  const redact = (text: string) => redactTokens(text, adminToken);
  if (query === undefined) return redact(path);
  const params = query.split('&').map((pair) => {
    const [name = '', value] = pair.split(/=(.*)/s);
    let decoded = name;
    try {
      decoded = decodeURIComponent(name);
    } catch {
      // A name that is not valid percent-encoding is logged as sent (redacted like the rest).
    }
    return value !== undefined && SECRET_PARAMS.test(decoded) ? `${name}=[redacted]` : pair;
  });
  return redact(`${path}?${params.join('&')}`);
}

/** Structured JSON logs (pino) at LOG_LEVEL, each line with the app and process; probes and scrapes not logged. */
export const LoggingModule = LoggerModule.forRootAsync({
  inject: [CONFIG],
  useFactory: (config: CaravanConfig) => ({
    pinoHttp: {
      level: config.logLevel,
      base: { app: config.app, pid: process.pid },
      // The URL is logged redacted (below); its parsed query and path parameters would repeat it whole.
      redact: ['req.headers.authorization', 'req.query', 'req.params'],
      serializers: {
        req: (req: { url?: string }) => {
          if (req.url) req.url = loggableUrl(req.url, config.api.adminToken);
          return req;
        },
      },
      autoLogging: {
        ignore: (req: IncomingMessage) => (req.url ?? '').startsWith('/health') || req.url === '/metrics',
      },
    },
  }),
});
