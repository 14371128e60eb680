/**
 * What KAFKA_COMPRESSION costs and saves: the same records produced with each codec by Caravan's
 * producer (createProducer) and read back by kafkajs with Caravan's codecs, side by side: rates,
 * this process's CPU seconds for each, and the bytes the broker keeps (local stack only).
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { type CaravanConfig, KAFKA_COMPRESSIONS, type KafkaCompression } from '@caravan/config';
import { createKafka, createProducer, ensureTopics, kafkaConnection } from '@caravan/kafka';
import type { Workload } from './workload';

export type CodecFigures = {
  codec: KafkaCompression;
  records: number;
  producePerSecond: number;
  produceCpuSeconds: number;
  consumePerSecond: number;
  consumeCpuSeconds: number;
  /** On the broker's disk, when the broker is the local stack's; undefined otherwise. */
  bytes: number | undefined;
};

const PARTITIONS = 6;
const CHUNK = 500;

export async function compareCompressions(
  config: CaravanConfig,
  workload: Workload,
  records: number,
  log: (line: string) => void,
): Promise<CodecFigures[]> {
  const sample = workload.items.slice(0, records);
  const kafka = createKafka({ ...kafkaConnection(config.kafka), clientId: `${workload.id}-codecs` });
  const admin = kafka.admin();
  await admin.connect();
  const figures: CodecFigures[] = [];
  try {
    // A first round of `none` warms the process up (JIT, connections) and is not reported: the
    // codec measured first would otherwise pay for it.
    for (const [round, codec] of [
      ['warm-up', 'none'] as const,
      ...KAFKA_COMPRESSIONS.map((c) => ['measured', c] as const),
    ]) {
      const topic = `${workload.id}.codec-${codec}-${round}`;
      await ensureTopics(admin, [{ topic, numPartitions: PARTITIONS }]);
      const producer = createProducer(kafka, { maxInFlightRequests: 1 }, codec);
      await producer.connect();
      let cpu = process.cpuUsage();
      let started = performance.now();
      for (let i = 0; i < sample.length; i += CHUNK) {
        await producer.sendBatch({
          topicMessages: [{ topic, messages: sample.slice(i, i + CHUNK).map((r) => ({ key: r.key, value: r.value })) }],
        });
      }
      const produceSeconds = (performance.now() - started) / 1000;
      const produceCpu = cpuSeconds(process.cpuUsage(cpu));
      await producer.disconnect();

      const consumer = kafka.consumer({
        groupId: `${topic}-read`,
        maxBytesPerPartition: config.ingest.maxBytesPerPartition,
      });
      let seen = 0;
      await consumer.connect();
      await consumer.subscribe({ topics: [topic], fromBeginning: true });
      // Timed from the first batch: the group join is the same for every codec.
      await consumer.run({
        partitionsConsumedConcurrently: PARTITIONS,
        eachBatch: async ({ batch }) => {
          if (seen === 0) {
            cpu = process.cpuUsage();
            started = performance.now();
          }
          seen += batch.messages.length;
        },
      });
      const deadline = Date.now() + 600_000;
      while (seen < sample.length) {
        if (Date.now() > deadline)
          throw new Error(`${codec}: ${seen} of ${sample.length} records read back after 600 s`);
        await new Promise((r) => setTimeout(r, 5));
      }
      const consumeSeconds = (performance.now() - started) / 1000;
      const consumeCpu = cpuSeconds(process.cpuUsage(cpu));
      await consumer.disconnect();
      const bytes = brokerBytes(config, topic);
      await admin.deleteTopics({ topics: [topic] }).catch(() => undefined);
      if (round === 'warm-up') continue;
      figures.push({
        codec,
        records: sample.length,
        producePerSecond: sample.length / produceSeconds,
        produceCpuSeconds: produceCpu,
        consumePerSecond: sample.length / consumeSeconds,
        consumeCpuSeconds: consumeCpu,
        bytes,
      });
      log(
        `  ${codec}: produced ${Math.round(sample.length / produceSeconds)}/s, read ` +
          `back ${Math.round(sample.length / consumeSeconds)}/` +
          `s${bytes === undefined ? '' : `, ${(bytes / 2 ** 20).toFixed(1)} MiB on the broker`}`,
      );
    }
  } finally {
    await admin.disconnect();
  }
  return figures;
}

const cpuSeconds = (usage: NodeJS.CpuUsage): number => (usage.user + usage.system) / 1e6;

/** The size of a topic's log segments in the local broker's data directory. */
function brokerBytes(config: CaravanConfig, topic: string): number | undefined {
  const data = resolve(config.stack.stateDir, 'kafka', 'data');
  if (!existsSync(data)) return undefined;
  let total = 0;
  for (let p = 0; p < PARTITIONS; p++) {
    const dir = join(data, `${topic}-${p}`);
    if (!existsSync(dir)) return undefined;
    for (const file of readdirSync(dir)) if (file.endsWith('.log')) total += statSync(join(dir, file)).size;
  }
  return total;
}
