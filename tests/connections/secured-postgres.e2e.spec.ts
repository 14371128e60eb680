import { readFileSync } from 'node:fs';
import { buildEvent } from '@caravan/contract';
import { createPool, withDatabase } from '@caravan/database';
import { EventProducer } from '@caravan/kafka';
import {
  configOf,
  createPipelineTopics,
  freePort,
  pipelineEnv,
  runCli,
  type SecurePostgres,
  spawnApp,
  startSecurePostgres,
  testKafka,
  uniqueName,
  useChildApps,
  waitFor,
} from '../harness';

/**
 * The apps and the CLI against a PostgreSQL server of the test's own that lets in TLS connections
 * only (a test CA's certificate; client-certificate authentication for one role), Kafka the test
 * broker's.
 */
describe('PostgreSQL over TLS (a server of its own that refuses plain connections)', () => {
  const running = useChildApps('each');
  let server: SecurePostgres;

  beforeAll(async () => {
    server = await startSecurePostgres();
  });
  afterAll(() => server?.stop());

  const database = () => withDatabase(server.url, uniqueName('caravan_tls').replace(/-/g, '_'));
  const verifyFull = () => ({ DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: server.certificates.ca });

  /** Whether every session of Caravan's apps on the server is encrypted, and how many there are. */
  async function caravanSessions(): Promise<{ sessions: number; allEncrypted: boolean }> {
    const pool = createPool({
      url: `${server.url}?sslmode=require&uselibpqcompat=true`,
      poolSize: 1,
      applicationName: 'test-observer',
    });
    try {
      const { rows } = await pool.query<{ n: number; encrypted: boolean | null }>(
        `SELECT count(*)::int AS n, bool_and(s.ssl) AS encrypted FROM pg_stat_activity a JOIN ` +
          `pg_stat_ssl s USING (pid) WHERE a.application_name LIKE 'caravan-%'`,
      );
      return { sessions: rows[0]?.n ?? 0, allEncrypted: rows[0]?.encrypted === true };
    } finally {
      await pool.end();
    }
  }

  it('verify-full with the CA: `caravan migrate`, then the ingestor stores what it consumes, every session encrypted', async () => {
    const url = database();
    const migrated = await runCli(['migrate'], { DATABASE_URL: url, ...verifyFull() });
    expect([migrated.status, migrated.stderr]).toEqual([0, expect.any(String)]);
    expect(migrated.stdout + migrated.stderr).toMatch(/applied/);

    const port = await freePort();
    const env = pipelineEnv(url, { ...verifyFull(), HTTP_PORT: String(port) });
    const config = configOf(env);
    await createPipelineTopics(config);
    running.push(spawnApp('ingestor', env));
    const producer = new EventProducer(testKafka(), config.topics);
    await producer.connect();
    try {
      await producer.send(
        Array.from({ length: 5 }, (_, i) =>
          buildEvent.arrivalRecorded(
            { nationality: 'CN', port: 'ala-airport', purpose: 'tourism', travelers: i + 1 },
            { occurredAt: '2024-06-01T12:00:00+05:00' },
          ),
        ),
      );
    } finally {
      await producer.disconnect();
    }
    const pool = createPool({ url: config.database.url, poolSize: 1, applicationName: 'test-reader' });
    try {
      await waitFor(
        async () => (await pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0]?.n === 5,
        { what: '5 events stored over TLS', timeoutMs: 120_000 },
      );
    } finally {
      await pool.end();
    }
    await waitFor(async () => (await fetch(`http://127.0.0.1:${port}/health/ready`)).status === 200, {
      what: 'the ingestor ready',
      timeoutMs: 60_000,
    });
    const sessions = await caravanSessions();
    expect(sessions.sessions).toBeGreaterThan(0);
    expect(sessions.allEncrypted).toBe(true);
  });

  it('a client certificate authenticates its role (verify-full, cert and key files)', async () => {
    const url = database().replace('postgres@', `${server.certificateUser}@`);
    const run = await runCli(['migrate'], {
      DATABASE_URL: url,
      ...verifyFull(),
      DATABASE_SSL_CERT_FILE: server.certificates.clientCert,
      DATABASE_SSL_KEY_FILE: server.certificates.clientKeyPlain,
    });
    expect([run.status, run.stdout + run.stderr]).toEqual([0, expect.stringMatching(/applied/)]);
    // Without the certificate, that role is refused.
    const refused = await runCli(['migrate'], { DATABASE_URL: url, ...verifyFull() });
    expect(refused.status).not.toBe(0);
    expect(refused.stdout + refused.stderr).toMatch(/certificate/i);
  });

  it('require: encrypted without verifying the server; the URL may say it too', async () => {
    const settings: Array<Record<string, string>> = [
      { DATABASE_URL: database(), DATABASE_SSL_MODE: 'require' },
      { DATABASE_URL: `${database()}?sslmode=require` },
    ];
    for (const env of settings) {
      const run = await runCli(['migrate'], env);
      expect([run.status, run.stdout + run.stderr]).toEqual([0, expect.stringMatching(/applied/)]);
    }
  });

  it.each([
    [
      'verify-full against a CA that did not sign the server',
      () => ({ DATABASE_SSL_MODE: 'verify-full', DATABASE_SSL_CA_FILE: server.certificates.otherCa }),
      /certificate/i,
    ],
    ['no TLS at all', () => ({ DATABASE_SSL_MODE: 'disable' }), /no encryption|pg_hba\.conf/i],
  ])('%s: refused, and the CLI says so', async (_name, settings, message) => {
    const run = await runCli(['migrate'], { DATABASE_URL: database(), ...settings() });
    expect(run.status).not.toBe(0);
    expect(run.stdout + run.stderr).toMatch(message);
  });

  it('an app started with a CA file it cannot read stops at once, naming the variable', async () => {
    const app = spawnApp(
      'api',
      pipelineEnv(database(), { DATABASE_SSL_MODE: 'verify-ca', DATABASE_SSL_CA_FILE: '/nonexistent/ca.pem' }),
    );
    running.push(app);
    expect(await app.exited).not.toBe(0);
    expect(readFileSync(app.logFile, 'utf8')).toMatch(
      /DATABASE_SSL_CA_FILE: cannot read \/nonexistent\/ca\.pem \(ENOENT\)/,
    );
  });
});
