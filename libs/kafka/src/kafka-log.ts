import { type logCreator, logLevel } from 'kafkajs';

/**
 * A refusal the apps explain themselves, once per spell (see explainKafkaError): kafkajs's own
 * lines about it are left out.
 */
const EXPLAINED = /authentication failed|SASL|certificate|SSL routines|self.signed|alert/i;
const REPEAT_WINDOW_MS = 60_000;
const LEVELS: Record<number, string> = {
  [logLevel.ERROR]: 'ERROR',
  [logLevel.WARN]: 'WARN',
  [logLevel.INFO]: 'INFO',
  [logLevel.DEBUG]: 'DEBUG',
};

/**
 * kafkajs's log lines as JSON (as its default logger writes them), without storms: a line repeated
 * within a minute is held back and counted, the count said with its next appearance; failures
 * to authenticate or to verify TLS are left to the apps, which say them once with the variable to check.
 */
export const kafkaLogCreator: logCreator = () => {
  const seen = new Map<string, { at: number; held: number }>();
  return ({ namespace, level, label, log }) => {
    const { message, timestamp, ...extra } = log;
    const text = `${message} ${typeof extra.error === 'string' ? extra.error : ''}`;
    if (EXPLAINED.test(text)) return;
    const key = `${namespace}|${level}|${message}`;
    const now = Date.now();
    const last = seen.get(key);
    if (last && now - last.at < REPEAT_WINDOW_MS) {
      last.held++;
      return;
    }
    if (seen.size > 1_000) seen.clear();
    seen.set(key, { at: now, held: 0 });
    const repeated = last && last.held > 0 ? { repeatedTimes: last.held } : {};
    const line = JSON.stringify({
      level: LEVELS[level] ?? label,
      timestamp,
      logger: 'kafkajs',
      message: `[${namespace}] ${message}`,
      ...extra,
      ...repeated,
    });
    (level <= logLevel.WARN ? process.stderr : process.stdout).write(`${line}\n`);
  };
};

/**
 * A Kafka failure in words an operator can act on: refused credentials and unverifiable
 * certificates name what to check; anything else is kafkajs's message.
 */
export function explainKafkaError(
  error: unknown,
  connection?: { sasl?: { mechanism: string; username: string } },
): string {
  const message = error instanceof Error ? error.message : String(error);
  if (/authentication failed|SaslAuthenticate|invalid credentials/i.test(message)) {
    const who = connection?.sasl ? ` of ${connection.sasl.username} (${connection.sasl.mechanism.toUpperCase()})` : '';
    return (
      `Kafka refused the credentials${who}: check KAFKA_SASL_MECHANISM, KAFKA_SASL_USERNAME ` +
      `and KAFKA_SASL_PASSWORD (${message})`
    );
  }
  if (/alert bad certificate|alert number 42|alert certificate required|alert number 116/i.test(message)) {
    return (
      `the broker refused this client's certificate: check KAFKA_SSL_CERT_FILE and ` + `KAFKA_SSL_KEY_FILE (${message})`
    );
  }
  if (/certificate|self.signed|unable to verify/i.test(message)) {
    return `Kafka's TLS certificate could not be verified: check KAFKA_SSL_CA_FILE (${message})`;
  }
  return message;
}
