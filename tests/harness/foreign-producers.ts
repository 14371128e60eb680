import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { loadConfig, projectRoot } from '@caravan/config';
import { ensureKafkaJars, runCommand } from '@caravan/stack';
import { testServices } from './test-env';

/**
 * Producers no one here wrote, writing to the test broker: librdkafka's kcat (the library under
 * the Python, Go, .NET and many other clients) and Apache Kafka's own Java client (from the
 * broker's jars). Both compress with every codec; the Java one also writes transactions.
 */
export type ForeignRecord = { key: string | null; value: Buffer | string };
export type Codec = 'none' | 'gzip' | 'snappy' | 'lz4' | 'zstd';
/** One step of the Java producer: a record, or a transaction boundary. */
export type JavaStep = ForeignRecord | 'begin' | 'commit' | 'abort';

/** kcat from Debian (`apt-get install kcat`; .ci/run installs it when missing). */
export function requireKcat(): string {
  const found = spawnSync('kcat', ['-V'], { encoding: 'utf8' });
  if (found.status !== 0)
    throw new Error('kcat (librdkafka) is missing: apt-get install -y --no-install-recommends kcat (.ci/run does it)');
  return 'kcat';
}

/**
 * Sends the records in order to one partition with kcat, lingering so they leave as few
 * compressed batches. Values may hold any bytes but U+001E (the delimiter); keys no U+001F.
 */
export async function produceWithKcat(
  topic: string,
  records: ForeignRecord[],
  options: { codec: Codec; partition: number },
): Promise<void> {
  const input = Buffer.concat(
    records.flatMap((r) => [Buffer.from(`${r.key ?? ''}\x1f`), Buffer.from(r.value), Buffer.from('\x1e')]),
  );
  await runCommand(
    requireKcat(),
    [
      '-P',
      '-b',
      testServices().kafkaBrokers.join(','),
      '-t',
      topic,
      '-p',
      String(options.partition),
      '-z',
      options.codec,
      '-K',
      '\\x1f',
      '-D',
      '\\x1e',
      '-X',
      'linger.ms=200',
      '-X',
      'batch.num.messages=100000',
      '-q',
    ],
    input,
  );
}

/** Runs the Java client (JavaProducer.java, a single-file program) over the steps, to one partition. */
export async function produceWithJava(
  topic: string,
  steps: JavaStep[],
  options: { codec: Codec; partition: number; transactionalId?: string },
): Promise<void> {
  const config = loadConfig('tool');
  const jars = await ensureKafkaJars(config.stack.stateDir, config.stack.kafkaVersion, () => undefined);
  const dir = join(projectRoot(), 'tests', 'harness', 'foreign');
  const lines = steps.map((s) => {
    if (s === 'begin' || s === 'commit' || s === 'abort') return s.toUpperCase();
    return (
      `R ${s.key === null ? '-' : Buffer.from(s.key).toString('base64')} ` +
      `${Buffer.from(s.value).toString('base64')}`
    );
  });
  const args = [
    `-Dlog4j.configuration=file:${join(dir, 'log4j.properties')}`,
    '-cp',
    `${jars}/*`,
    join(dir, 'JavaProducer.java'),
    '--bootstrap',
    testServices().kafkaBrokers.join(','),
    '--topic',
    topic,
    '--partition',
    String(options.partition),
    '--compression',
    options.codec,
    '--linger-ms',
    '200',
  ];
  if (options.transactionalId) args.push('--transactional-id', options.transactionalId);
  const output = await runCommand('java', args, Buffer.from(`${lines.join('\n')}\n`));
  const sent = steps.filter((s) => typeof s !== 'string').length;
  if (!output.includes(`OK ${sent}`))
    throw new Error(`the Java producer did not confirm ${sent} records:\n${output.slice(-2000)}`);
}
