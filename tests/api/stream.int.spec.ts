import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { Producer } from 'kafkajs';
import { buildEvent, type KpiSnapshot } from '@caravan/contract';
import { createSnapshotProducer, pruneSnapshotHistory, SnapshotPublisher } from '@caravan/publisher';
import { ApiModule } from '../../apps/api/src/api.module';
import {
  appEnv,
  createTopics,
  projectAll,
  storeEvents,
  testKafka,
  uniqueName,
  useTestDatabase,
  waitFor,
} from '../harness';

const TZ = 'Asia/Almaty';
type SseEvent = { id?: string; event?: string; data?: string; comment?: string };

/** A minimal SSE client over fetch: collects parsed events until aborted. */
function openStream(url: string, lastEventId?: string) {
  const events: SseEvent[] = [];
  const controller = new AbortController();
  const done = (async () => {
    const response = await fetch(url, {
      signal: controller.signal,
      headers: lastEventId ? { 'Last-Event-ID': lastEventId } : {},
    });
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
  return {
    events,
    close: async () => {
      controller.abort();
      await done;
    },
  };
}

const snapshotsOf = (events: SseEvent[]) =>
  events
    .filter((e) => e.event === 'snapshot')
    .map((e) => ({ id: e.id, ...(JSON.parse(e.data ?? '{}') as KpiSnapshot) }));

describe('the api: live snapshot stream (Server-Sent Events, real PostgreSQL and Kafka)', () => {
  const db = useTestDatabase();
  let app: INestApplication;
  let base: string;
  let producer: Producer;
  let publisher: SnapshotPublisher;
  let day = 1;

  async function arrive(travelers: number): Promise<void> {
    await storeEvents(db().pool, [
      buildEvent.arrivalRecorded(
        { nationality: 'CN', port: 'ala-airport', purpose: 'tourism', travelers },
        { occurredAt: `2024-07-${String(day++).padStart(2, '0')}T12:00:00+05:00` },
      ),
    ]);
    await projectAll(db().pool, { timeZone: TZ });
    await publisher.publishChanges();
  }

  beforeAll(async () => {
    const topic = uniqueName('snapshots');
    const kafka = testKafka();
    await createTopics([{ topic, numPartitions: 1 }]);
    producer = createSnapshotProducer(kafka, topic);
    await producer.connect();
    publisher = new SnapshotPublisher(db().pool, producer, topic, TZ);
    await arrive(10);
    app = await NestFactory.create(
      ApiModule.forRoot(appEnv(db().url, { API_STREAM_HEARTBEAT_MS: '200', API_STREAM_POLL_MS: '5000' })),
      { logger: ['error'] },
    );
    await app.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await app?.close();
    await producer?.disconnect();
  });

  it('sends the current snapshot, then new ones, heartbeats between, and resumes after a disconnect without loss', async () => {
    const url = `${base}/v1/kpis/stream?kpi=arrivals&window=ytd&scope.nationality=CN`;
    const first = openStream(url);
    await waitFor(() => first.events.some((e) => e.event === 'caught-up'), { what: 'initial snapshot and caught-up' });
    expect(snapshotsOf(first.events).map((s) => s.value)).toEqual([10]);

    const started = Date.now();
    await arrive(5);
    await waitFor(() => snapshotsOf(first.events).length === 2, {
      timeoutMs: 30_000,
      what: 'the new snapshot streamed',
    });
    process.stderr.write(
      `[stream test] publication to SSE delivery: ${Date.now() - started} ms (including projection)\n`,
    );
    expect(snapshotsOf(first.events).map((s) => s.value)).toEqual([10, 15]);
    await waitFor(() => first.events.some((e) => e.comment?.startsWith('heartbeat')), {
      timeoutMs: 30_000,
      what: 'a heartbeat',
    });

    const lastId = snapshotsOf(first.events).at(-1)?.id;
    await first.close();
    await arrive(1);
    await arrive(2);

    const second = openStream(url, lastId);
    await waitFor(() => snapshotsOf(second.events).length >= 2, { timeoutMs: 30_000, what: 'the missed snapshots' });
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

  it('fans every new snapshot out to many subscribers from one shared reader, each with its own filter', async () => {
    const cn = Array.from({ length: 60 }, () =>
      openStream(`${base}/v1/kpis/stream?kpi=arrivals&window=ytd&scope.nationality=CN`),
    );
    const all = Array.from({ length: 60 }, () => openStream(`${base}/v1/kpis/stream?kpi=arrivals`));
    try {
      await waitFor(() => [...cn, ...all].every((s) => s.events.some((e) => e.event === 'caught-up')), {
        timeoutMs: 60_000,
        what: 'every stream caught up',
      });
      const before = cn.map((s) => snapshotsOf(s.events).length);
      await arrive(3);
      await waitFor(() => cn.every((s, i) => snapshotsOf(s.events).length === (before[i] as number) + 1), {
        timeoutMs: 60_000,
        what: 'the new CN ytd snapshot on every CN stream',
      });
      const value = snapshotsOf(cn[0]?.events ?? []).at(-1)?.value;
      for (const s of cn) expect(snapshotsOf(s.events).at(-1)?.value).toBe(value);
      // The unfiltered arrivals streams get every arrivals window and scope that changed, the same on each.
      await waitFor(
        () =>
          all.every((s) =>
            snapshotsOf(s.events).some((x) => x.window === 'ytd' && x.scope.nationality === 'CN' && x.value === value),
          ),
        { timeoutMs: 60_000, what: 'the new snapshot on every arrivals stream' },
      );
      const ids = (s: (typeof all)[number]) =>
        snapshotsOf(s.events)
          .map((x) => x.id)
          .join(',');
      await waitFor(() => all.every((s) => ids(s) === ids(all[0] as (typeof all)[number])), {
        timeoutMs: 60_000,
        what: 'the same snapshots on every arrivals stream',
      });
      for (const s of all) expect(snapshotsOf(s.events).every((x) => x.kpi === 'arrivals')).toBe(true);
    } finally {
      await Promise.all([...cn, ...all].map((s) => s.close()));
    }
  });

  it('leaves nothing behind when clients leave at once, and refuses streams beyond API_STREAM_MAX_CLIENTS with 503', async () => {
    const limited = await NestFactory.create(
      ApiModule.forRoot(appEnv(db().url, { API_STREAM_MAX_CLIENTS: '3', API_STREAM_POLL_MS: '200' })),
      { logger: ['error'] },
    );
    await limited.listen(0, '127.0.0.1');
    const url = `http://127.0.0.1:${(limited.getHttpServer().address() as { port: number }).port}`;
    const subscribers = async () =>
      Number((await (await fetch(`${url}/metrics`)).text()).match(/^caravan_stream_subscribers (\d+)/m)?.[1]);
    let closed = false;
    try {
      // 50 clients that disconnect while their subscription is being set up.
      for (let i = 0; i < 50; i++) {
        const controller = new AbortController();
        const request = fetch(`${url}/v1/kpis/stream?kpi=arrivals`, { signal: controller.signal }).catch(
          () => undefined,
        );
        controller.abort();
        await request;
      }
      await waitFor(async () => (await subscribers()) === 0, { timeoutMs: 30_000, what: 'no subscriber left' });

      const open = [
        openStream(`${url}/v1/kpis/stream`),
        openStream(`${url}/v1/kpis/stream`),
        openStream(`${url}/v1/kpis/stream`),
      ];
      await waitFor(() => open.every((s) => s.events.some((e) => e.event === 'caught-up')), {
        timeoutMs: 30_000,
        what: 'three streams',
      });
      const refused = await fetch(`${url}/v1/kpis/stream`);
      expect(refused.status).toBe(503);
      expect(refused.headers.get('retry-after')).toBe('5');
      expect(await refused.json()).toMatchObject({
        statusCode: 503,
        message: expect.stringMatching(/at most 3 concurrent streams/),
      });
      await open[0]?.close();
      await waitFor(async () => (await subscribers()) === 2, { timeoutMs: 30_000, what: 'a stream let go' });
      const again = openStream(`${url}/v1/kpis/stream`);
      await waitFor(() => again.events.some((e) => e.event === 'caught-up'), {
        timeoutMs: 30_000,
        what: 'a stream again',
      });
      await Promise.all([...open.slice(1), again].map((s) => s.close()));
      await waitFor(async () => (await subscribers()) === 0, { timeoutMs: 30_000, what: 'every stream let go' });

      // Shutting down ends the streams still open (a client reconnects to another instance).
      const last = openStream(`${url}/v1/kpis/stream`);
      await waitFor(() => last.events.some((e) => e.event === 'caught-up'), {
        timeoutMs: 30_000,
        what: 'one more stream',
      });
      await limited.close();
      closed = true;
      await last.close();
    } finally {
      if (!closed) await limited.close();
    }
  });

  it('answers a resume from an id older than the history kept with the latest snapshot per key and history-truncated', async () => {
    await arrive(4);
    const { rows } = await db().pool.query<{ id: string }>('SELECT id::text FROM kpi_snapshots ORDER BY id LIMIT 1');
    const oldest = rows[0]?.id as string;
    // The publisher's retention, with everything old enough (a key's latest row always stays).
    const client = await db().pool.connect();
    try {
      expect(await pruneSnapshotHistory(client, 0)).toBeGreaterThan(0);
    } finally {
      client.release();
    }
    const url = `${base}/v1/kpis/stream?kpi=arrivals&window=ytd&scope.nationality=CN`;
    const resumed = openStream(url, oldest);
    try {
      await waitFor(() => resumed.events.some((e) => e.event === 'caught-up'), {
        timeoutMs: 30_000,
        what: 'caught up after the truncated history',
      });
      const truncated = resumed.events.find((e) => e.event === 'history-truncated');
      expect(JSON.parse(truncated?.data ?? '{}')).toMatchObject({ resumedFrom: oldest });
      const latest = await db().pool.query<{ snapshot: KpiSnapshot }>(
        `SELECT snapshot FROM kpi_latest WHERE key = 'arrivals|ytd|nationality=CN'`,
      );
      expect(snapshotsOf(resumed.events).map((s) => s.value)).toEqual([latest.rows[0]?.snapshot.value]);
    } finally {
      await resumed.close();
    }
  });
});
