/**
 * What the machine can do with the same records and no pipeline: kafkajs consuming with no
 * processing; JSON parse + zod validation alone; a COPY of the events into an unindexed table.
 */
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { performance } from 'node:perf_hooks';
import { from as copyFrom } from 'pg-copy-streams';
import type { CaravanConfig } from '@caravan/config';
import { validateRecord } from '@caravan/contract';
import type { Pool } from 'pg';
import { createKafka, kafkaConnection } from '@caravan/kafka';
import { hasDefaultRate } from '@caravan/simulator';
import type { Workload } from './workload';

export type Measured = { seconds: number; perSecond: number; detail?: string };

export async function kafkajsConsume(config: CaravanConfig, workload: Workload): Promise<Measured> {
  const kafka = createKafka({ ...kafkaConnection(config.kafka), clientId: `${workload.id}-raw` });
  const consumer = kafka.consumer({
    groupId: `${workload.id}-raw-consume`,
    maxBytesPerPartition: config.ingest.maxBytesPerPartition,
  });
  let seen = 0;
  let firstAt = 0;
  const started = performance.now();
  await consumer.connect();
  await consumer.subscribe({
    topics: [workload.topics.bookings, workload.topics.arrivals, workload.topics.media],
    fromBeginning: true,
  });
  await consumer.run({
    partitionsConsumedConcurrently: config.ingest.concurrency,
    eachBatch: async ({ batch }) => {
      if (seen === 0) firstAt = performance.now();
      seen += batch.messages.length;
    },
  });
  const deadline = Date.now() + 600_000;
  while (seen < workload.records) {
    if (Date.now() > deadline) throw new Error(`raw consume: ${seen} of ${workload.records} records after 600 s`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const end = performance.now();
  await consumer.disconnect();
  const seconds = (end - started) / 1000;
  const steady = workload.records / ((end - firstAt) / 1000);
  return { seconds, perSecond: workload.records / seconds, detail: `${Math.round(steady)}/s after the group join` };
}

export function parseAndValidate(workload: Workload): Measured {
  const context = { nowMs: Date.now(), hasRate: hasDefaultRate };
  const started = performance.now();
  let valid = 0;
  for (const value of workload.values) if (validateRecord(value, context).ok) valid += 1;
  const seconds = (performance.now() - started) / 1000;
  return { seconds, perSecond: workload.values.length / seconds, detail: `${valid} valid` };
}

const csv = (s: string) => `"${s.replace(/"/g, '""')}"`;

/** COPY of every accepted event (id, type, time, producer, data) into an unindexed table. */
export async function copyIntoTable(pool: Pool, workload: Workload): Promise<Measured> {
  const table = `raw_copy_${randomBytes(3).toString('hex')}`;
  await pool.query(
    `CREATE TABLE ${table} (event_id uuid, type text, version int, occurred_at timestamptz, producer text, data jsonb)`,
  );
  const client = await pool.connect();
  try {
    const started = performance.now();
    const stream = client.query(copyFrom(`COPY ${table} FROM STDIN WITH (FORMAT csv)`));
    const done = once(stream, 'finish');
    for (const e of workload.events) {
      const line =
        `${e.eventId},${e.type},${e.version},${e.occurredAt},` + `${csv(e.producer)},${csv(JSON.stringify(e.data))}\n`;
      if (!stream.write(line)) await once(stream, 'drain');
    }
    stream.end();
    await done;
    const seconds = (performance.now() - started) / 1000;
    return { seconds, perSecond: workload.events.length / seconds, detail: 'logged table, no index' };
  } finally {
    client.release();
    await pool.query(`DROP TABLE ${table}`);
  }
}
