/**
 * `npx tsx tools/bench/peers/tutorial/run-tutorial.ts <count>`: fills fresh topics, runs the
 * tutorial peer, prints its result.
 */
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@caravan/config';
import { createKafka, ensureTopics, EventProducer, kafkaConnection } from '@caravan/kafka';
import { historicTraffic, summarize } from '@caravan/simulator';
import { benchTutorial } from './tutorial-peer';

const log = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const count = Number(process.argv[2] ?? 2_000);
  const config = loadConfig('tool');
  const timeZone = 'Asia/Almaty';
  const id = `tutorial-${randomBytes(3).toString('hex')}`;
  const topics = { bookings: `${id}.bookings`, arrivals: `${id}.arrivals`, media: `${id}.media` };
  const kafka = createKafka({ ...kafkaConnection(config.kafka), clientId: id });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await ensureTopics(
      admin,
      Object.values(topics).map((topic) => ({ topic, numPartitions: 3 })),
    );
    const records = [
      ...historicTraffic({
        seed: 1,
        timeZone,
        mix: { badShare: 0.005, duplicateShare: 0.01 },
        from: new Date('2024-01-01'),
        to: new Date('2025-01-01'),
        count,
      }),
    ];
    const producer = new EventProducer(kafka, topics);
    await producer.connect();
    await producer.sendToRoles(records);
    await producer.disconnect();
    const expected = summarize(records);
    log(
      `produced ${records.length} records to ${id}.*: ${expected.accepted} ` +
        `accepted, ${expected.duplicate} duplicates, ${expected.rejected} ` +
        `rejected ${JSON.stringify(expected.rejectedByCode)}`,
    );
    const result = await benchTutorial({
      brokers: config.kafka.brokers,
      topics,
      expectedRecords: records.length,
      databaseUrl: config.database.url,
      timeZone,
      log,
    });
    log(JSON.stringify(result, null, 2));
    if (!result.check.ok) process.exitCode = 1;
  } finally {
    await admin.deleteTopics({ topics: Object.values(topics) }).catch(() => undefined);
    await admin.disconnect();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`run-tutorial: ${(error as Error).stack}\n`);
  process.exitCode = 1;
});
