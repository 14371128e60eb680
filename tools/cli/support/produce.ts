import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import type { TopicRole } from '@caravan/contract';
import type { EventProducer, RoleRecord } from '@caravan/kafka';

export type OutboundRecord = RoleRecord;
/** Where records go: Kafka (the inbound topics) or an NDJSON file (one value per line). */
export type RecordSink = {
  write(records: OutboundRecord[]): Promise<void>;
  close(): Promise<void>;
  counts: Record<TopicRole, number>;
};

export function kafkaSink(producer: EventProducer): RecordSink {
  const counts: Record<TopicRole, number> = { bookings: 0, arrivals: 0, media: 0 };
  return {
    counts,
    async write(records) {
      for (const r of records) counts[r.role] += 1;
      await producer.sendToRoles(records);
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
    close: () =>
      new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve()))),
  };
}
