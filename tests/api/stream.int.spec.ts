import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Producer } from 'kafkajs';
import { buildEvent, type KpiSnapshot } from '@caravan/contract';
import { createProducer } from '@caravan/kafka';
import { SnapshotPublisher } from '@caravan/publisher';
import { ApiModule } from '../../apps/api/src/api.module';
import { appEnv, createTopics, projectAll, storeEvents, testKafka, uniqueName, useTestDatabase, waitFor } from '../harness';

const TZ = 'Asia/Almaty';
type SseEvent = { id?: string; event?: string; data?: string; comment?: string };

/** A minimal SSE client over fetch: collects parsed events until aborted. */
function openStream(url: string, lastEventId?: string) {
  const events: SseEvent[] = [];
  const controller = new AbortController();
  const done = (async () => {
    const response = await fetch(url, { signal: controller.signal, headers: lastEventId ? { 'Last-Event-ID': lastEventId } : {} });
    const reader = response.body?.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    for (;;) {
      const { value, done: end } = await reader!.read();
      if (end) return;
      buffer += decoder.decode(value, { stream: true });
      let cut: number;
      while ((cut = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, cut);
        buffer = buffer.slice(cut + 2);
        const event: SseEvent = {};
        for (const line of block.split('\n')) {
          if (line.startsWith(':')) event.comment = line.slice(1).trim();
          else {
            const [field, ...rest] = line.split(': ');
            (event as Record<string, string>)[field as string] = rest.join(': ');
          }
        }
        events.push(event);
      }
    }
  })().catch(() => undefined);
  return { events, close: async () => { controller.abort(); await done; } };
}

const snapshotsOf = (events: SseEvent[]) => events.filter((e) => e.event === 'snapshot').map((e) => ({ id: e.id, ...(JSON.parse(e.data ?? '{}') as KpiSnapshot) }));

describe('the api: live snapshot stream (Server-Sent Events, real PostgreSQL and Kafka)', () => {
  const db = useTestDatabase();
  let app: INestApplication;
  let base: string;
  let producer: Producer;
  let publisher: SnapshotPublisher;
  let day = 1;

  async function arrive(travelers: number): Promise<void> {
    await storeEvents(db().pool, [
      buildEvent.arrivalRecorded({ nationality: 'CN', port: 'ala-airport', purpose: 'tourism', travelers }, { occurredAt: `2024-07-${String(day++).padStart(2, '0')}T12:00:00+05:00` }),
    ]);
    await projectAll(db().pool, { timeZone: TZ });
    await publisher.publishChanges();
  }

  beforeAll(async () => {
    const topic = uniqueName('snapshots');
    const kafka = testKafka();
    await createTopics([{ topic, numPartitions: 1 }]);
    producer = createProducer(kafka);
    await producer.connect();
    publisher = new SnapshotPublisher(db().pool, producer, topic, TZ);
    await arrive(10);
    app = await NestFactory.create(ApiModule.forRoot(appEnv(db().url, { API_STREAM_HEARTBEAT_MS: '200', API_STREAM_POLL_MS: '5000' })), { logger: ['error'] });
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await producer?.disconnect();
  });

  it('sends the current snapshot, then new ones within a bound, heartbeats between, and resumes after a disconnect without loss', async () => {
    const url = `${base}/v1/kpis/stream?kpi=arrivals&window=ytd&scope.nationality=CN`;
    const first = openStream(url);
    await waitFor(() => first.events.some((e) => e.event === 'caught-up'), { what: 'initial snapshot and caught-up' });
    expect(snapshotsOf(first.events).map((s) => s.value)).toEqual([10]);

    const started = Date.now();
    await arrive(5);
    await waitFor(() => snapshotsOf(first.events).length === 2, { timeoutMs: 5_000, what: 'the new snapshot streamed' });
    process.stderr.write(`[stream test] publication to SSE delivery: ${Date.now() - started} ms (including projection)\n`);
    expect(snapshotsOf(first.events).map((s) => s.value)).toEqual([10, 15]);
    await waitFor(() => first.events.some((e) => e.comment?.startsWith('heartbeat')), { timeoutMs: 5_000, what: 'a heartbeat' });

    const lastId = snapshotsOf(first.events).at(-1)?.id;
    await first.close();
    await arrive(1);
    await arrive(2);

    const second = openStream(url, lastId);
    await waitFor(() => snapshotsOf(second.events).length >= 2, { timeoutMs: 5_000, what: 'the missed snapshots' });
    await second.close();
    expect(snapshotsOf(second.events).map((s) => s.value)).toEqual([16, 18]);
    expect(second.events.some((e) => e.event === 'caught-up')).toBe(false);
    const ids = [...snapshotsOf(first.events), ...snapshotsOf(second.events)].map((s) => Number(s.id));
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
  });

  it('refuses a bad filter or Last-Event-ID with 400', async () => {
    expect((await fetch(`${base}/v1/kpis/stream?window=2d`)).status).toBe(400);
    expect((await fetch(`${base}/v1/kpis/stream`, { headers: { 'Last-Event-ID': 'yesterday' } })).status).toBe(400);
  });
});
