import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConfig } from '@caravan/config';
import { probeBrokers } from '@caravan/kafka';
import { ensureKafkaJars, freePortRun, newClusterId, serverProperties, waitFor } from '@caravan/stack';

/** Certificates of a test CA, made with openssl: the broker's (for 127.0.0.1 and localhost) and a client's. */
export type TestCertificates = {
  dir: string;
  ca: string;
  /** The broker's key (encrypted PKCS#8, as Kafka's PEM key store wants it) and chain in one file. */
  brokerKeystore: string;
  brokerKeyPassword: string;
  clientCert: string;
  /** The client's key, encrypted with clientKeyPassword (KAFKA_SSL_KEY_PASSWORD). */
  clientKey: string;
  /** The same key unencrypted (node-postgres takes no key passphrase). */
  clientKeyPlain: string;
  clientKeyPassword: string;
  /** A CA that signed none of these (a client trusting it must refuse the broker). */
  otherCa: string;
};

const openssl = (dir: string, args: string[]) =>
  execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'ignore', 'pipe'] });

/** A CA, a broker certificate and a client certificate, in a fresh temporary folder. */
export function makeTestCertificates(subject = 'caravan-test'): TestCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'caravan-tls-'));
  const brokerKeyPassword = 'broker-key-pw';
  const clientKeyPassword = 'client-key-pw';
  const ca = (name: string) =>
    openssl(dir, [
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-subj',
      `/CN=${subject}-${name}`,
    ]);
  ca('ca');
  ca('other-ca');
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  for (const name of ['broker', 'client']) {
    openssl(dir, [
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      `${name}.key`,
      '-out',
      `${name}.csr`,
      '-subj',
      `/CN=${subject}-${name}`,
    ]);
    openssl(dir, [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.pem',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-out',
      `${name}.pem`,
      '-days',
      '2',
      '-extfile',
      'san.ext',
    ]);
  }
  // Kafka reads an encrypted PKCS#8 key (PBE-SHA1-3DES, which Java 17 decrypts); Node any.
  openssl(dir, [
    'pkcs8',
    '-topk8',
    '-v1',
    'PBE-SHA1-3DES',
    '-in',
    'broker.key',
    '-out',
    'broker.enc.key',
    '-passout',
    `pass:${brokerKeyPassword}`,
  ]);
  writeFileSync(
    join(dir, 'broker-keystore.pem'),
    readFileSync(join(dir, 'broker.enc.key'), 'utf8') + readFileSync(join(dir, 'broker.pem'), 'utf8'),
  );
  openssl(dir, [
    'pkcs8',
    '-topk8',
    '-v2',
    'aes-256-cbc',
    '-in',
    'client.key',
    '-out',
    'client.enc.key',
    '-passout',
    `pass:${clientKeyPassword}`,
  ]);
  return {
    dir,
    ca: join(dir, 'ca.pem'),
    brokerKeystore: join(dir, 'broker-keystore.pem'),
    brokerKeyPassword,
    clientCert: join(dir, 'client.pem'),
    clientKey: join(dir, 'client.enc.key'),
    clientKeyPlain: join(dir, 'client.key'),
    clientKeyPassword,
    otherCa: join(dir, 'other-ca.pem'),
  };
}

export const SCRAM_USER = { username: 'caravan-scram', password: 'scram-secret-7Hq' };
export const PLAIN_USER = { username: 'caravan-plain', password: 'plain-secret-4Kd' };

export type SecureBroker = {
  /**
   * The plain listener (admin work of the test), the SASL_SSL one, and the SSL one that requires a
   * client certificate.
   */
  plain: string;
  saslSsl: string;
  mutualTls: string;
  certificates: TestCertificates;
  stop: () => Promise<void>;
};

/**
 * A Kafka broker of its own from the project's jars with three listeners: PLAINTEXT, SASL_SSL
 * (PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512; its SCRAM user created with kafka-configs) and SSL with
 * client certificates required.
 */
export async function startSecureBroker(): Promise<SecureBroker> {
  const { stack } = loadConfig('tool');
  const jars = await ensureKafkaJars(stack.stateDir, stack.kafkaVersion, () => undefined);
  const certificates = makeTestCertificates();
  const dir = mkdtempSync(join(tmpdir(), 'caravan-secure-kafka-'));
  const port = await freePortRun(4);
  const [plain, controller, saslSsl, mutualTls] = [port, port + 1, port + 2, port + 3].map((p) => `127.0.0.1:${p}`) as [
    string,
    string,
    string,
    string,
  ];
  const jaas = (module: string, users = '') => `org.apache.kafka.common.security.${module} required${users};`;
  const properties = serverProperties('127.0.0.1', port, join(dir, 'data'))
    .replace(
      /^listeners=.*$/m,
      `listeners=PLAINTEXT://${plain},CONTROLLER://${controller},SASL_SSL://${saslSsl},SSL://${mutualTls}`,
    )
    .replace(
      /^advertised\.listeners=.*$/m,
      `advertised.listeners=PLAINTEXT://${plain},SASL_SSL://${saslSsl},SSL://${mutualTls}`,
    )
    .replace(
      /^listener\.security\.protocol\.map=.*$/m,
      'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT,SASL_SSL:SASL_SSL,SSL:SSL',
    )
    .concat(
      [
        'sasl.enabled.mechanisms=PLAIN,SCRAM-SHA-256,SCRAM-SHA-512',
        'listener.name.sasl_ssl.plain.sasl.jaas.config=' +
          jaas('plain.PlainLoginModule', ` user_${PLAIN_USER.username}="${PLAIN_USER.password}"`),
        `listener.name.sasl_ssl.scram-sha-256.sasl.jaas.config=${jaas('scram.ScramLoginModule')}`,
        `listener.name.sasl_ssl.scram-sha-512.sasl.jaas.config=${jaas('scram.ScramLoginModule')}`,
        'ssl.keystore.type=PEM',
        `ssl.keystore.location=${certificates.brokerKeystore}`,
        `ssl.key.password=${certificates.brokerKeyPassword}`,
        'ssl.truststore.type=PEM',
        `ssl.truststore.location=${certificates.ca}`,
        'listener.name.ssl.ssl.client.auth=required',
        '',
      ].join('\n'),
    );
  const propertiesFile = join(dir, 'server.properties');
  writeFileSync(propertiesFile, properties);
  const java = ['-Xms128m', '-Xmx384m', '-cp', `${jars}/*`];
  execFileSync('java', [...java, 'kafka.tools.StorageTool', 'format', '-t', newClusterId(), '-c', propertiesFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  const log = openSync(join(dir, 'kafka.log'), 'a');
  const broker: ChildProcess = spawn('java', [...java, 'kafka.Kafka', propertiesFile], { stdio: ['ignore', log, log] });
  const exited = new Promise<void>((resolve) => broker.once('exit', () => resolve()));
  const stop = async () => {
    if (broker.exitCode === null && broker.signalCode === null) broker.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
    rmSync(certificates.dir, { recursive: true, force: true });
  };
  try {
    await waitFor(async () => (await probeBrokers({ brokers: [plain] }, 2_000)).ok, {
      what: `the secure test broker at ${plain} (log ${join(dir, 'kafka.log')})`,
      timeoutMs: 120_000,
      intervalMs: 500,
    });
    // SCRAM credentials live in the cluster's metadata: one mechanism per request.
    for (const mechanism of ['SCRAM-SHA-256', 'SCRAM-SHA-512']) {
      execFileSync(
        'java',
        [
          ...java,
          'kafka.admin.ConfigCommand',
          '--bootstrap-server',
          plain,
          '--alter',
          '--add-config',
          `${mechanism}=[password=${SCRAM_USER.password}]`,
          '--entity-type',
          'users',
          '--entity-name',
          SCRAM_USER.username,
        ],
        {
          stdio: ['ignore', 'ignore', 'pipe'],
        },
      );
    }
  } catch (error) {
    await stop();
    throw error;
  }
  return { plain, saslSsl, mutualTls, certificates, stop };
}
