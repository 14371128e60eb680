import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { KafkaMessage } from 'kafkajs';
import { buildEvent, DLQ_HEADERS } from '@caravan/contract';
import { createKafka, ensureTopics, EventProducer, kafkaConnection } from '@caravan/kafka';
import {
  type ChildApp,
  configOf,
  freePort,
  PLAIN_USER,
  pipelineEnv,
  readTopic,
  SCRAM_USER,
  type SecureBroker,
  spawnApp,
  startSecureBroker,
  totals,
  uniqueName,
  useChildApps,
  useTestDatabase,
  waitFor,
  waitForConsumed,
} from '../harness';

const arrivals = (n: number, travelers: number) =>
  Array.from({ length: n }, (_, i) =>
    buildEvent.arrivalRecorded(
      { nationality: 'CN', port: 'ala-airport', purpose: 'tourism', travelers, destination: 'almaty' },
      { occurredAt: `2024-06-${String(1 + (i % 28)).padStart(2, '0')}T12:00:00+05:00` },
    ),
  );

/**
 * The apps against a broker that wants TLS and SASL (its own, from the project's jars: PLAIN,
 * SCRAM-SHA-256 and SCRAM-SHA-512 over SASL_SSL, and client certificates over SSL), with a CA and
 * certificates made by openssl for the test.
 */
describe('Kafka over TLS and SASL (a broker of its own with SASL_SSL and SSL listeners; real PostgreSQL)', () => {
  const db = useTestDatabase();
  const running = useChildApps('each');
  let broker: SecureBroker;
  let passwordFile: string;

  beforeAll(async () => {
    broker = await startSecureBroker();
    passwordFile = join(broker.certificates.dir, 'scram-password');
    writeFileSync(passwordFile, `${SCRAM_USER.password}\n`);
  });
  afterAll(async () => {
    await broker?.stop();
  });

  const connections = () => ({
    'SASL_SSL SCRAM-SHA-512, password from a file': {
      KAFKA_BROKERS: broker.saslSsl,
      KAFKA_SSL_CA_FILE: broker.certificates.ca,
      KAFKA_SASL_MECHANISM: 'SCRAM-SHA-512',
      KAFKA_SASL_USERNAME: SCRAM_USER.username,
      KAFKA_SASL_PASSWORD_FILE: passwordFile,
    },
    'SASL_SSL SCRAM-SHA-256': {
      KAFKA_BROKERS: broker.saslSsl,
      KAFKA_SSL_CA_FILE: broker.certificates.ca,
      KAFKA_SASL_MECHANISM: 'scram-sha-256',
      KAFKA_SASL_USERNAME: SCRAM_USER.username,
      KAFKA_SASL_PASSWORD: SCRAM_USER.password,
    },
    'SASL_SSL PLAIN': {
      KAFKA_BROKERS: broker.saslSsl,
      KAFKA_SSL_CA_FILE: broker.certificates.ca,
      KAFKA_SASL_MECHANISM: 'PLAIN',
      KAFKA_SASL_USERNAME: PLAIN_USER.username,
      KAFKA_SASL_PASSWORD: PLAIN_USER.password,
    },
    'SSL with a client certificate (its key encrypted)': {
      KAFKA_BROKERS: broker.mutualTls,
      KAFKA_SSL_CA_FILE: broker.certificates.ca,
      KAFKA_SSL_CERT_FILE: broker.certificates.clientCert,
      KAFKA_SSL_KEY_FILE: broker.certificates.clientKey,
      KAFKA_SSL_KEY_PASSWORD: broker.certificates.clientKeyPassword,
    },
  });

  /** The pipeline's topics, created through the plain listener (as an admin would). */
  async function createTopicsOf(env: Record<string, string>): Promise<void> {
    const config = configOf(env);
    const admin = createKafka({ brokers: [broker.plain], clientId: uniqueName('admin') }).admin();
    await admin.connect();
    try {
      const t = config.topics;
      await ensureTopics(
        admin,
        [t.bookings, t.arrivals, t.media, t.dlq, t.snapshots].map((topic) => ({ topic, numPartitions: 2 })),
      );
    } finally {
      await admin.disconnect();
    }
  }

  /** A topic read from the beginning through the plain listener. */
  const readPlain = (topic: string, enough: (messages: KafkaMessage[]) => boolean) =>
    readTopic(topic, enough, 60_000, createKafka({ brokers: [broker.plain], clientId: uniqueName('reader') }));

  const readiness = async (port: number) => {
    const response = await fetch(`http://127.0.0.1:${port}/health/ready`).catch(() => undefined);
    return response ? { status: response.status, body: await response.text() } : undefined;
  };

  it('the whole pipeline over SASL_SSL with SCRAM-SHA-512: records in, a bad one to the DLQ, snapshots out, all through the secured listener', async () => {
    const env = pipelineEnv(db().url, {
      ...connections()['SASL_SSL SCRAM-SHA-512, password from a file'],
      SNAPSHOT_INTERVAL_MS: '300',
      TOPIC_PARTITIONS: '2',
    });
    const config = configOf(env);
    await createTopicsOf(env);
    // Caravan's own producer, with the same settings: over SASL_SSL too.
    const producer = new EventProducer(
      createKafka({ ...kafkaConnection(config.kafka), clientId: uniqueName('producer') }),
      config.topics,
    );
    await producer.connect();
    try {
      await producer.send(arrivals(30, 3));
      const raw = createKafka({ ...kafkaConnection(config.kafka), clientId: uniqueName('raw') }).producer();
      await raw.connect();
      await raw.send({ topic: config.topics.arrivals, messages: [{ key: 'bad', value: '{"not": "an envelope"' }] });
      await raw.disconnect();
    } finally {
      await producer.disconnect();
    }
    running.push(spawnApp('ingestor', env), spawnApp('projector', env), spawnApp('publisher', env));
    await waitForConsumed(db().pool, config.ingest.groupId, 31);
    expect((await totals(db().pool, config.ingest.groupId)).all).toMatchObject({
      consumed: 31,
      accepted: 30,
      rejected: 1,
      rejectedByCode: { malformed_json: 1 },
    });
    const [dead] = await readPlain(config.topics.dlq, (m) => m.length >= 1);
    expect(dead?.headers?.[DLQ_HEADERS.code]?.toString()).toBe('malformed_json');
    await waitFor(
      async () =>
        (await db().pool.query(`SELECT snapshot->>'value' AS v FROM kpi_latest WHERE key = 'arrivals|ytd|*'`)).rows[0]
          ?.v === '90',
      { what: 'arrivals ytd at 90', timeoutMs: 120_000 },
    );
    // The publisher's transactions, committed through the secured listener.
    const published = await readPlain(config.topics.snapshots, (m) =>
      m.some((x) => x.key?.toString() === 'arrivals|ytd|*' && JSON.parse(String(x.value)).value === 90),
    );
    expect(published.length).toBeGreaterThan(1);
  });

  it.each(['SASL_SSL SCRAM-SHA-256', 'SASL_SSL PLAIN', 'SSL with a client certificate (its key encrypted)'] as const)(
    '%s: the ingestor is ready and consumes',
    async (name) => {
      const port = await freePort();
      const env = pipelineEnv(db().url, { ...connections()[name], HTTP_PORT: String(port), TOPIC_PARTITIONS: '2' });
      const config = configOf(env);
      await createTopicsOf(env);
      running.push(spawnApp('ingestor', env));
      const producer = new EventProducer(
        createKafka({ ...kafkaConnection(config.kafka), clientId: uniqueName('producer') }),
        config.topics,
      );
      await producer.connect();
      try {
        await producer.send(arrivals(5, 1));
      } finally {
        await producer.disconnect();
      }
      await waitForConsumed(db().pool, config.ingest.groupId, 5);
      await waitFor(async () => (await readiness(port))?.status === 200, {
        what: 'the ingestor ready',
        timeoutMs: 60_000,
      });
    },
  );

  it.each([
    [
      'a wrong SCRAM password',
      () => ({ ...connections()['SASL_SSL SCRAM-SHA-256'], KAFKA_SASL_PASSWORD: 'not-the-password' }),
      /Kafka refused the credentials of caravan-scram \(SCRAM-SHA-256\): check KAFKA_SASL/,
    ],
    [
      'a CA that did not sign the broker',
      () => ({ ...connections()['SASL_SSL SCRAM-SHA-256'], KAFKA_SSL_CA_FILE: broker.certificates.otherCa }),
      /TLS certificate could not be verified: check KAFKA_SSL_CA_FILE/,
    ],
    [
      'no client certificate where one is required',
      () => ({ KAFKA_BROKERS: broker.mutualTls, KAFKA_SSL_CA_FILE: broker.certificates.ca }),
      /refused this client's certificate: check KAFKA_SSL_CERT_FILE/,
    ],
  ])(
    '%s: unready with the reason, and said once in the log, not a retry storm',
    async (_name, settings, explanation) => {
      /** Any line about it, whoever wrote it (kafkajs included). */
      const aboutIt = /authenticat|credentials|certificate|SSL|alert/i;
      const port = await freePort();
      const app: ChildApp = spawnApp(
        'ingestor',
        pipelineEnv(db().url, { ...settings(), HTTP_PORT: String(port), LOG_LEVEL: 'info' }),
      );
      running.push(app);
      await waitFor(
        async () => {
          const r = await readiness(port);
          return r?.status === 503 && explanation.test(r.body);
        },
        { what: 'the ingestor unready, saying why', timeoutMs: 60_000 },
      );
      // The consumer is retried with backoff meanwhile: after three failed attempts, still one line.
      await waitFor(async () => consumerErrors(await (await fetch(`http://127.0.0.1:${port}/metrics`)).text()) >= 3, {
        what: 'three failed attempts',
        timeoutMs: 120_000,
        intervalMs: 1_000,
      });
      const lines = readFileSync(app.logFile, 'utf8')
        .split('\n')
        .filter((line) => aboutIt.test(line));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(explanation);
      expect(app.process.exitCode).toBeNull();
    },
  );

  it('a setting that cannot work stops the app at start with one line naming the variable', async () => {
    const app = spawnApp(
      'ingestor',
      pipelineEnv(db().url, {
        ...connections()['SASL_SSL PLAIN'],
        KAFKA_SSL_CA_FILE: join(broker.certificates.dir, 'missing-ca.pem'),
      }),
    );
    running.push(app);
    expect(await app.exited).not.toBe(0);
    expect(readFileSync(app.logFile, 'utf8')).toMatch(/KAFKA_SSL_CA_FILE: cannot read .*missing-ca\.pem \(ENOENT\)/);
  });
});

const consumerErrors = (metrics: string) =>
  Number(/^caravan_loop_errors_total\{loop="consumer"\} (\d+)/m.exec(metrics)?.[1] ?? 0);
