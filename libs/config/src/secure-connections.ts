import { readFileSync } from 'node:fs';
import { createSecureContext } from 'node:tls';
import type { Env } from './config.schema';

/** TLS to the brokers: PEM contents read from the files named (a CA, a client certificate and key). */
export type KafkaTls = { ca?: string; cert?: string; key?: string; passphrase?: string; rejectUnauthorized: boolean };
export type KafkaSaslMechanism = 'plain' | 'scram-sha-256' | 'scram-sha-512';
export type KafkaSasl = { mechanism: KafkaSaslMechanism; username: string; password: string };
/** What a Kafka client needs to reach the cluster: the bootstrap brokers, then TLS and SASL when set. */
export type KafkaConnection = { brokers: string[]; tls?: KafkaTls; sasl?: KafkaSasl };

/** libpq's modes but `allow` and `prefer`: node-postgres cannot fall back between TLS and plain. */
export const DATABASE_SSL_MODES = ['disable', 'require', 'verify-ca', 'verify-full'] as const;
export type DatabaseSslMode = (typeof DATABASE_SSL_MODES)[number];

/** A file the configuration names: its contents, or an issue naming the variable. */
function readNamedFile(variable: string, path: string, issues: string[]): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (error) {
    issues.push(
      `${variable}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
    );
    return undefined;
  }
}

/** A secret given inline (`NAME`) or as a file (`NAME_FILE`, as Kubernetes and Docker mount secrets), not both. */
function secret(env: Env, name: 'KAFKA_SASL_USERNAME' | 'KAFKA_SASL_PASSWORD', issues: string[]): string | undefined {
  const inline = env[name];
  const file = env[`${name}_FILE`];
  if (inline !== undefined && file !== undefined) {
    issues.push(`${name}: set either ${name} or ${name}_FILE, not both`);
    return undefined;
  }
  if (file === undefined) return inline;
  const value = readNamedFile(`${name}_FILE`, file, issues)?.replace(/\r?\n$/, '');
  if (value === '') issues.push(`${name}_FILE: ${file} is empty`);
  return value || undefined;
}

/** KAFKA_SSL* and KAFKA_SASL*, checked together: every problem is an issue naming its variable. */
export function kafkaSecurity(env: Env, issues: string[]): Pick<KafkaConnection, 'tls' | 'sasl'> {
  const files = { ca: env.KAFKA_SSL_CA_FILE, cert: env.KAFKA_SSL_CERT_FILE, key: env.KAFKA_SSL_KEY_FILE };
  let tls: KafkaTls | undefined;
  const anyFile = Object.values(files).some((f) => f !== undefined);
  if (env.KAFKA_SSL === false && anyFile) issues.push('KAFKA_SSL: false, yet KAFKA_SSL_*_FILE is set');
  if (env.KAFKA_SSL === true || (env.KAFKA_SSL === undefined && anyFile)) {
    if ((files.cert === undefined) !== (files.key === undefined)) {
      issues.push(
        `${files.cert === undefined ? 'KAFKA_SSL_CERT_FILE' : 'KAFKA_SSL_KEY_FILE'}: a client ` +
          `certificate needs both KAFKA_SSL_CERT_FILE and KAFKA_SSL_KEY_FILE`,
      );
    }
    tls = { rejectUnauthorized: env.KAFKA_SSL_REJECT_UNAUTHORIZED };
    if (files.ca !== undefined) tls.ca = readNamedFile('KAFKA_SSL_CA_FILE', files.ca, issues);
    if (files.cert !== undefined) tls.cert = readNamedFile('KAFKA_SSL_CERT_FILE', files.cert, issues);
    if (files.key !== undefined) tls.key = readNamedFile('KAFKA_SSL_KEY_FILE', files.key, issues);
    if (env.KAFKA_SSL_KEY_PASSWORD !== undefined) tls.passphrase = env.KAFKA_SSL_KEY_PASSWORD;
  }
  const username = secret(env, 'KAFKA_SASL_USERNAME', issues);
  const password = secret(env, 'KAFKA_SASL_PASSWORD', issues);
  let sasl: KafkaSasl | undefined;
  if (env.KAFKA_SASL_MECHANISM !== undefined) {
    if (username === undefined)
      issues.push(
        `KAFKA_SASL_USERNAME: required by KAFKA_SASL_MECHANISM=${env.KAFKA_SASL_MECHANISM} (or ` +
          `KAFKA_SASL_USERNAME_FILE)`,
      );
    if (password === undefined)
      issues.push(
        `KAFKA_SASL_PASSWORD: required by KAFKA_SASL_MECHANISM=${env.KAFKA_SASL_MECHANISM} (or ` +
          `KAFKA_SASL_PASSWORD_FILE)`,
      );
    if (username !== undefined && password !== undefined)
      sasl = { mechanism: env.KAFKA_SASL_MECHANISM, username, password };
  } else if (username !== undefined || password !== undefined) {
    issues.push(
      'KAFKA_SASL_MECHANISM: credentials are set without a mechanism (plain, scram-sha-256 or scram-sha-512)',
    );
  }
  return { ...(tls ? { tls } : {}), ...(sasl ? { sasl } : {}) };
}

/**
 * A PostgreSQL URL with its TLS settings in the query string, where node-postgres reads them (and
 * reads the files at each connection, so a renewed certificate is picked up): DATABASE_SSL_MODE
 * and DATABASE_SSL_*_FILE, or the URL's own sslmode, with libpq's meaning of each mode
 * (`uselibpqcompat`): `require` encrypts without verifying (verifies the CA when one is given),
 * `verify-ca` checks the chain, `verify-full` the chain and the host name.
 */
export function databaseUrlWithTls(variable: string, url: string, env: Env, issues: string[]): string {
  const parsed = new URL(url);
  const fromUrl = parsed.searchParams.get('sslmode') ?? undefined;
  if (fromUrl !== undefined && !(DATABASE_SSL_MODES as readonly string[]).includes(fromUrl)) {
    issues.push(
      `${variable}: sslmode=${fromUrl} is not one of ${DATABASE_SSL_MODES.join(', ')} (no fallback ` +
        `between TLS and plain)`,
    );
    return url;
  }
  // Files the URL itself names, checked now like the variables' (node-postgres would fail at each connection).
  for (const param of ['sslrootcert', 'sslcert', 'sslkey']) {
    const file = parsed.searchParams.get(param);
    if (file !== null) readNamedFile(`${variable} (${param})`, file, issues);
  }
  if (env.DATABASE_SSL_MODE !== undefined && fromUrl !== undefined && fromUrl !== env.DATABASE_SSL_MODE) {
    issues.push(`DATABASE_SSL_MODE: ${env.DATABASE_SSL_MODE}, but ${variable} says sslmode=${fromUrl}; set one`);
    return url;
  }
  const mode = env.DATABASE_SSL_MODE ?? (fromUrl as DatabaseSslMode | undefined);
  const files = {
    sslrootcert: env.DATABASE_SSL_CA_FILE,
    sslcert: env.DATABASE_SSL_CERT_FILE,
    sslkey: env.DATABASE_SSL_KEY_FILE,
  };
  const names = {
    sslrootcert: 'DATABASE_SSL_CA_FILE',
    sslcert: 'DATABASE_SSL_CERT_FILE',
    sslkey: 'DATABASE_SSL_KEY_FILE',
  } as const;
  const anyFile = Object.values(files).some((f) => f !== undefined);
  if (mode === undefined && !anyFile) return url;
  if (mode === undefined || mode === 'disable') {
    if (anyFile)
      issues.push(
        `DATABASE_SSL_MODE: ${mode ?? 'unset'}, yet DATABASE_SSL_*_FILE is set (require, verify-ca ` +
          `or verify-full use them)`,
      );
    return url;
  }
  if (mode === 'verify-ca' && files.sslrootcert === undefined && !parsed.searchParams.has('sslrootcert')) {
    issues.push('DATABASE_SSL_CA_FILE: sslmode verify-ca checks the server against a CA: name its file');
  }
  if ((files.sslcert === undefined) !== (files.sslkey === undefined)) {
    issues.push(
      `${files.sslcert === undefined ? 'DATABASE_SSL_CERT_FILE' : 'DATABASE_SSL_KEY_FILE'}: a ` +
        `client certificate needs both DATABASE_SSL_CERT_FILE and DATABASE_SSL_KEY_FILE`,
    );
  }
  parsed.searchParams.delete('uselibpqcompat');
  for (const [param, file] of Object.entries(files) as Array<[keyof typeof files, string | undefined]>) {
    if (file === undefined) continue;
    // Checked now so a typo fails at start, naming its variable (node-postgres reads it again at each connection).
    readNamedFile(names[param], file, issues);
    parsed.searchParams.set(param, file);
  }
  parsed.searchParams.set('sslmode', mode);
  parsed.searchParams.set('uselibpqcompat', 'true');
  return parsed.toString();
}

/** The app's own TLS: certificate (chain) and key, PEM, read from HTTP_TLS_CERT_FILE and HTTP_TLS_KEY_FILE. */
export type HttpTls = { cert: string; key: string };

/**
 * HTTP_TLS_CERT_FILE and HTTP_TLS_KEY_FILE, both or neither; each readable, and the pair one Node
 * can serve with (a key that does not match the certificate is an issue now, not at the first
 * client's handshake).
 */
export function httpTls(
  env: Pick<Env, 'HTTP_TLS_CERT_FILE' | 'HTTP_TLS_KEY_FILE'>,
  issues: string[],
): HttpTls | undefined {
  const { HTTP_TLS_CERT_FILE: certFile, HTTP_TLS_KEY_FILE: keyFile } = env;
  if (certFile === undefined && keyFile === undefined) return undefined;
  if (certFile === undefined || keyFile === undefined) {
    issues.push(
      `${certFile === undefined ? 'HTTP_TLS_CERT_FILE' : 'HTTP_TLS_KEY_FILE'}: TLS needs both HTTP_TLS_CERT_FILE ` +
        'and HTTP_TLS_KEY_FILE',
    );
    return undefined;
  }
  const cert = readNamedFile('HTTP_TLS_CERT_FILE', certFile, issues);
  const key = readNamedFile('HTTP_TLS_KEY_FILE', keyFile, issues);
  if (cert === undefined || key === undefined) return undefined;
  try {
    createSecureContext({ cert, key });
  } catch (error) {
    issues.push(`HTTP_TLS_KEY_FILE: ${keyFile} and ${certFile} cannot serve TLS (${(error as Error).message})`);
    return undefined;
  }
  return { cert, key };
}
