import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'pg-connection-string';
import { ConfigError, loadConfig } from './config';

const dir = mkdtempSync(join(tmpdir(), 'caravan-config-'));
const file = (name: string, content: string) => {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
};
const CA = file('ca.pem', '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n');
const CERT = file('client.pem', '-----BEGIN CERTIFICATE-----\nclient\n-----END CERTIFICATE-----\n');
const KEY = file('client.key', '-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n');
const PASSWORD = file('password', 's3cret-from-a-file\n');

/** The issues of a configuration that must fail, one line each. */
function issuesOf(env: Record<string, string>): string[] {
  try {
    loadConfig('ingestor', env);
  } catch (error) {
    if (error instanceof ConfigError) return error.issues;
    throw error;
  }
  throw new Error('the configuration was accepted');
}

describe('Kafka TLS and SASL settings', () => {
  it('are absent by default: plaintext without authentication', () => {
    const { kafka } = loadConfig('ingestor', {});
    expect(kafka.tls).toBeUndefined();
    expect(kafka.sasl).toBeUndefined();
  });

  it('read the CA, certificate and key files, and SASL credentials inline or from files (a trailing newline dropped)', () => {
    const { kafka } = loadConfig('ingestor', {
      KAFKA_SSL_CA_FILE: CA,
      KAFKA_SSL_CERT_FILE: CERT,
      KAFKA_SSL_KEY_FILE: KEY,
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: 'caravan',
      KAFKA_SASL_PASSWORD_FILE: PASSWORD,
    });
    expect(kafka.tls).toEqual({
      ca: expect.stringContaining('ca'),
      cert: expect.stringContaining('client'),
      key: expect.stringContaining('key'),
      rejectUnauthorized: true,
    });
    expect(kafka.sasl).toEqual({ mechanism: 'scram-sha-512', username: 'caravan', password: 's3cret-from-a-file' });
  });

  it('KAFKA_SSL=true alone trusts the system CAs', () => {
    expect(loadConfig('ingestor', { KAFKA_SSL: 'true' }).kafka.tls).toEqual({ rejectUnauthorized: true });
  });

  it.each([
    [{ KAFKA_SSL_CA_FILE: join(dir, 'missing.pem') }, /^KAFKA_SSL_CA_FILE: cannot read .*missing\.pem \(ENOENT\)$/],
    [{ KAFKA_SSL_CERT_FILE: CERT }, /^KAFKA_SSL_KEY_FILE: a client certificate needs both/],
    [{ KAFKA_SSL: 'false', KAFKA_SSL_CA_FILE: CA }, /^KAFKA_SSL: false, yet KAFKA_SSL_\*_FILE is set$/],
    [
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' },
      /^KAFKA_SASL_PASSWORD: required by KAFKA_SASL_MECHANISM=plain/,
    ],
    [
      { KAFKA_SASL_MECHANISM: 'GSSAPI', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' },
      /^KAFKA_SASL_MECHANISM: expected PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512$/,
    ],
    [
      { KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD: 'p' },
      /^KAFKA_SASL_MECHANISM: credentials are set without a mechanism/,
    ],
    [
      {
        KAFKA_SASL_MECHANISM: 'plain',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
        KAFKA_SASL_PASSWORD_FILE: PASSWORD,
      },
      /^KAFKA_SASL_PASSWORD: set either KAFKA_SASL_PASSWORD or KAFKA_SASL_PASSWORD_FILE, not both$/,
    ],
    [
      { KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u', KAFKA_SASL_PASSWORD_FILE: file('empty', '') },
      /^KAFKA_SASL_PASSWORD_FILE: .* is empty$/,
    ],
  ])('%j is refused at start, naming the variable', (env, message) => {
    const issues = issuesOf(env);
    expect(issues.some((i) => message.test(i))).toBe(true);
  });
});

describe('PostgreSQL TLS settings', () => {
  const URL_ = 'postgres://caravan:pw@db.example:5432/caravan';

  it('leave a URL without TLS settings as it is', () => {
    expect(loadConfig('api', { DATABASE_URL: URL_ }).database.url).toBe(URL_);
  });

  it.each([
    ['require', {}, { rejectUnauthorized: false }],
    [
      'verify-ca',
      { DATABASE_SSL_CA_FILE: CA },
      { ca: expect.stringContaining('ca'), checkServerIdentity: expect.any(Function) },
    ],
    [
      'verify-full',
      { DATABASE_SSL_CA_FILE: CA, DATABASE_SSL_CERT_FILE: CERT, DATABASE_SSL_KEY_FILE: KEY },
      { ca: expect.any(String), cert: expect.any(String), key: expect.any(String) },
    ],
  ])('DATABASE_SSL_MODE=%s: the URL carries libpq’s meaning of the mode to node-postgres', (mode, files, ssl) => {
    const config = loadConfig('api', {
      DATABASE_URL: URL_,
      DATABASE_SSL_MODE: mode,
      API_DATABASE_URL: 'postgres://reader@db.example/caravan',
      ...files,
    });
    for (const url of [config.database.url, config.api.databaseUrl as string]) {
      expect(new URL(url).searchParams.get('sslmode')).toBe(mode);
      expect(parse(url).ssl).toEqual(ssl);
    }
    if (mode === 'verify-full')
      expect((parse(config.database.url).ssl as { checkServerIdentity?: unknown }).checkServerIdentity).toBeUndefined();
  });

  it("the URL's own sslmode=require means libpq's require (encrypted, not verified), not node-postgres's verify-full", () => {
    const url = loadConfig('api', { DATABASE_URL: `${URL_}?sslmode=require` }).database.url;
    expect(parse(url).ssl).toEqual({ rejectUnauthorized: false });
  });

  it.each([
    [{ DATABASE_SSL_MODE: 'verify-ca' }, /^DATABASE_SSL_CA_FILE: sslmode verify-ca checks the server against a CA/],
    [
      { DATABASE_SSL_MODE: 'require', DATABASE_SSL_CA_FILE: join(dir, 'nope.pem') },
      /^DATABASE_SSL_CA_FILE: cannot read .*nope\.pem \(ENOENT\)$/,
    ],
    [
      { DATABASE_URL: `${URL_}?sslmode=prefer` },
      /^DATABASE_URL: sslmode=prefer is not one of disable, require, verify-ca, verify-full/,
    ],
    [
      { DATABASE_URL: `${URL_}?sslmode=disable`, DATABASE_SSL_MODE: 'require' },
      /^DATABASE_SSL_MODE: require, but DATABASE_URL says sslmode=disable; set one$/,
    ],
    [{ DATABASE_SSL_CA_FILE: CA }, /^DATABASE_SSL_MODE: unset, yet DATABASE_SSL_\*_FILE is set/],
    [
      { DATABASE_SSL_MODE: 'require', DATABASE_SSL_KEY_FILE: KEY },
      /^DATABASE_SSL_CERT_FILE: a client certificate needs both/,
    ],
    [{ DATABASE_SSL_MODE: 'tls' }, /^DATABASE_SSL_MODE: /],
  ])('%j is refused at start, naming the variable', (env, message) => {
    expect(issuesOf({ DATABASE_URL: URL_, ...env }).some((i) => message.test(i))).toBe(true);
  });
});
