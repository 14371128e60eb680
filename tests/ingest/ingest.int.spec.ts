import { randomUUID } from 'node:crypto';
import type { INestApplication } from '@nestjs/common';
import { buildEvent, DLQ_HEADERS, type ForeseenRejectionCode } from '@caravan/contract';
import { EventProducer } from '@caravan/kafka';
import {
  configOf,
  createPipelineTopics,
  pipelineEnv,
  readTopic,
  startIngestor,
  testKafka,
  totals,
  useTestDatabase,
  waitForConsumed,
} from '../harness';

const OCCURRED = '2024-03-28T10:15:00+05:00';

describe('the ingestor (real Kafka and PostgreSQL)', () => {
  const db = useTestDatabase();
  let env: Record<string, string>;
  let app: INestApplication;
  let producer: EventProducer;
  let sent = 0;
  const config = () => configOf(env);
  const group = () => config().ingest.groupId;

  beforeAll(async () => {
    env = pipelineEnv(db().url);
    await createPipelineTopics(config());
    producer = new EventProducer(testKafka(), config().topics);
    await producer.connect();
    app = await startIngestor(env);
  });
  afterAll(async () => {
    await producer?.disconnect();
    await app?.close();
  });

  it('stores each event type once, with its envelope, payload and source', async () => {
    const events = [
      buildEvent.arrivalRecorded(
        { nationality: 'CN', port: 'ala-airport', purpose: 'tourism', travelers: 3, destination: 'almaty' },
        { occurredAt: OCCURRED, producer: 'border-service' },
      ),
      buildEvent.bookingCreated(
        {
          bookingId: 'bk-1',
          market: 'CN',
          destination: 'almaty',
          channel: 'ota',
          travelers: 2,
          checkIn: '2024-07-01',
          nights: 5,
          price: { amount: '1234.50', currency: 'CNY' },
        },
        { occurredAt: OCCURRED, producer: 'trip-platform' },
      ),
      buildEvent.bookingCancelled(
        { bookingId: 'bk-1', reason: 'visa' },
        { occurredAt: '2024-03-29T08:00:00+05:00', producer: 'trip-platform' },
      ),
      buildEvent.mediaViewsReported(
        { platform: 'douyin', campaign: 'visit-kazakhstan', market: 'CN', views: 1_250_000 },
        { occurredAt: OCCURRED, producer: 'social-analytics' },
      ),
    ];
    await producer.send(events);
    sent += events.length;
    await waitForConsumed(db().pool, group(), sent);

    const { rows } = await db().pool.query(
      `SELECT event_id, type, version, occurred_at, producer, data, source_topic, source_partition, ` +
        `source_offset FROM events ORDER BY position`,
    );
    const byId = new Map(rows.map((r) => [r.event_id, r]));
    expect(rows).toHaveLength(4);
    for (const e of events) {
      const topic = e.type.startsWith('Booking')
        ? config().topics.bookings
        : e.type === 'ArrivalRecorded'
          ? config().topics.arrivals
          : config().topics.media;
      expect(byId.get(e.eventId)).toEqual({
        event_id: e.eventId,
        type: e.type,
        version: 1,
        occurred_at: new Date(e.occurredAt),
        producer: e.producer,
        data: e.data,
        source_topic: topic,
        source_partition: expect.any(Number),
        source_offset: expect.stringMatching(/^\d+$/),
      });
    }
    // Both booking events share a key, so a partition, in the order sent.
    const bookings = rows.filter((r) => r.type.startsWith('Booking'));
    expect(bookings.map((r) => r.type)).toEqual(['BookingCreated', 'BookingCancelled']);
    expect(bookings[0].source_partition).toBe(bookings[1].source_partition);
  });

  it('counts a redelivered eventId as one duplicate and rejects other content under it as conflict', async () => {
    const original = buildEvent.arrivalRecorded(
      { nationality: 'KZ', port: 'khorgos', purpose: 'business', travelers: 1 },
      { occurredAt: OCCURRED },
    );
    const before = await totals(db().pool, group());
    await producer.send([original, { ...original }, { ...original, data: { ...original.data, travelers: 2 } }]);
    sent += 3;
    await waitForConsumed(db().pool, group(), sent);

    const stored = await db().pool.query(
      'SELECT count(*)::int AS n, min(data->>$2) AS travelers FROM events WHERE event_id = $1',
      [original.eventId, 'travelers'],
    );
    expect(stored.rows[0]).toEqual({ n: 1, travelers: '1' });
    const after = await totals(db().pool, group());
    expect(after.all.accepted - before.all.accepted).toBe(1);
    expect(after.all.duplicate - before.all.duplicate).toBe(1);
    expect((after.all.rejectedByCode.conflict ?? 0) - (before.all.rejectedByCode.conflict ?? 0)).toBe(1);
  });

  it('rejects every code of docs/contract §2 to the DLQ byte-identical with its headers, and keeps it in PostgreSQL', async () => {
    const valid = buildEvent.bookingCreated(
      {
        bookingId: 'bk-x',
        market: 'CN',
        destination: 'astana',
        channel: 'direct',
        travelers: 1,
        checkIn: '2024-08-01',
        nights: 2,
        price: { amount: '100', currency: 'USD' },
      },
      { occurredAt: OCCURRED },
    );
    const stored = buildEvent.arrivalRecorded(
      { nationality: 'CN', port: 'nqz-airport', purpose: 'tourism', travelers: 5 },
      { occurredAt: OCCURRED },
    );
    await producer.send([stored]);
    sent += 1;
    await waitForConsumed(db().pool, group(), sent);

    const crafted: Record<ForeseenRejectionCode, Buffer> = {
      malformed_json: Buffer.from('{"eventId": "not closed'),
      too_large: Buffer.from(JSON.stringify({ ...valid, eventId: randomUUID(), producer: 'x'.repeat(66 * 1024) })),
      schema: Buffer.from(JSON.stringify({ ...valid, eventId: randomUUID(), data: { ...valid.data, travelers: 0 } })),
      unknown_type: Buffer.from(JSON.stringify({ ...valid, eventId: randomUUID(), type: 'HotelReviewed' })),
      unknown_version: Buffer.from(JSON.stringify({ ...valid, eventId: randomUUID(), version: 7 })),
      unknown_currency: Buffer.from(
        JSON.stringify({
          ...valid,
          eventId: randomUUID(),
          data: { ...valid.data, price: { amount: '100', currency: 'JPY' } },
        }),
      ),
      future_event: Buffer.from(
        JSON.stringify({
          ...valid,
          eventId: randomUUID(),
          occurredAt: new Date(Date.now() + 48 * 3600_000).toISOString(),
        }),
      ),
      conflict: Buffer.from(JSON.stringify({ ...stored, data: { ...stored.data, travelers: 6 } })),
    };
    const codes = Object.keys(crafted) as Array<keyof typeof crafted>;
    for (const code of codes) {
      await producer.sendToRoles([
        { role: code === 'conflict' ? 'arrivals' : 'bookings', key: `key-${code}`, value: crafted[code] },
      ]);
    }
    sent += codes.length;
    await waitForConsumed(db().pool, group(), sent);

    const dlq = await readTopic(config().topics.dlq, 9);
    const byCode = new Map(dlq.map((m) => [m.headers?.[DLQ_HEADERS.code]?.toString(), m]));
    for (const code of codes) {
      const message = byCode.get(code);
      expect(message?.value?.equals(crafted[code])).toBe(true);
      expect(message?.key?.toString()).toBe(`key-${code}`);
      const headers = Object.fromEntries(Object.entries(message?.headers ?? {}).map(([k, v]) => [k, v?.toString()]));
      const row = await db().pool.query(
        'SELECT code, detail, record_value, source_partition, source_offset, dlq_published_at FROM ' +
          'rejections WHERE source_topic = $1 AND source_partition = $2 AND source_offset = $3',
        [headers[DLQ_HEADERS.topic], Number(headers[DLQ_HEADERS.partition]), headers[DLQ_HEADERS.offset]],
      );
      expect(row.rows).toHaveLength(1);
      expect(row.rows[0].code).toBe(code);
      expect(row.rows[0].record_value.equals(crafted[code])).toBe(true);
      expect(row.rows[0].dlq_published_at).toBeInstanceOf(Date);
      expect(headers[DLQ_HEADERS.detail]).toBe(row.rows[0].detail);
      expect(headers[DLQ_HEADERS.detail]?.length).toBeGreaterThan(0);
    }
    expect(byCode.get('schema')?.headers?.[DLQ_HEADERS.detail]?.toString()).toMatch(/data\.travelers/);
  });

  it('keeps the counts adding up per topic: consumed = accepted + duplicate + rejected', async () => {
    const { all, byTopic } = await totals(db().pool, group());
    expect(all.consumed).toBe(sent);
    for (const t of byTopic) expect(t.consumed).toBe(t.accepted + t.duplicate + t.rejected);
    const events = await db().pool.query('SELECT count(*)::int AS n FROM events');
    expect(events.rows[0].n).toBe(all.accepted);
    const rejections = await db().pool.query('SELECT count(*)::int AS n FROM rejections');
    expect(rejections.rows[0].n).toBe(all.rejected);
  });
});
