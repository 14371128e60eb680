import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { TopicRole } from '@caravan/contract';
import type { EventProducer } from '@caravan/kafka';

export type OutboundRecord = { role: TopicRole; key: string | null; value: Buffer };
/** Where records go: Kafka (the inbound topics) or an NDJSON file (one value per line). */
export type RecordSink = { write(records: OutboundRecord[]): Promise<void>; close(): Promise<void>; counts: Record<TopicRole, number> };

// A partition's batch must stay under the broker's 1 MB; records are small but a too_large one is 70 KB.
const CHUNK = 500;

export function kafkaSink(producer: EventProducer, topics: Record<TopicRole, string>): RecordSink {
  const counts: Record<TopicRole, number> = { bookings: 0, arrivals: 0, media: 0 };
  return {
    counts,
    async write(records) {
      for (let i = 0; i < records.length; i += CHUNK) {
        const byRole = new Map<TopicRole, Array<{ key: string | null; value: Buffer }>>();
        for (const r of records.slice(i, i + CHUNK)) {
          const list = byRole.get(r.role) ?? [];
          list.push({ key: r.key, value: r.value });
          byRole.set(r.role, list);
          counts[r.role] += 1;
        }
        await Promise.all([...byRole].map(([role, messages]) => producer.sendRaw(topics[role], messages)));
      }
    },
    close: () => producer.disconnect(),
  };
}

export function fileSink(path: string): RecordSink {
  const counts: Record<TopicRole, number> = { bookings: 0, arrivals: 0, media: 0 };
  const out = createWriteStream(path);
  return {
    counts,
    async write(records) {
      for (const r of records) {
        counts[r.role] += 1;
        if (!out.write(Buffer.concat([r.value, Buffer.from('\n')]))) await once(out, 'drain');
      }
    },
    close: () => new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve()))),
  };
}
