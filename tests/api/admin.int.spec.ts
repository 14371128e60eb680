import type { INestApplication } from '@nestjs/common';
import { buildEvent } from '@caravan/contract';
import { EventProducer } from '@caravan/kafka';
import { createApiApp } from '../../apps/api/src/api.app';
import {
  configOf,
  createPipelineTopics,
  pipelineEnv,
  startIngestor,
  startProjector,
  testKafka,
  totals,
  useTestDatabase,
  waitFor,
  waitForConsumed,
} from '../harness';

const TOKEN = 'test-admin-token-0123456789';

describe('the api: admin actions behind a bearer token (real Kafka and PostgreSQL)', () => {
  const db = useTestDatabase();
  let ingestor: INestApplication;
  // Rebuilds are the projector's to run, replays the ingestor's: the api only asks.
  let projector: INestApplication;
  let api: INestApplication;
  let base: string;
  let group: string;
  /** The api's /metrics as samples: name, labels and value. */
  const metricValues = async (): Promise<Array<{ name: string; labels: Record<string, string>; value: number }>> =>
    (await (await fetch(`${base}/metrics`)).text())
      .split('\n')
      .filter((line) => line.startsWith('caravan_'))
      .map((line) => {
        const [, name = '', labels = '', value = ''] = /^(\w+)(?:\{(.*)\})? (\S+)$/.exec(line) ?? [];
        return {
          name,
          labels: Object.fromEntries([...labels.matchAll(/(\w+)="([^"]*)"/g)].map((m) => [m[1], m[2]])),
          value: Number(value),
        };
      });
  const call = async (path: string, init: RequestInit = {}, token: string | null = TOKEN) => {
    const response = await fetch(`${base}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };

  beforeAll(async () => {
    const env = pipelineEnv(db().url);
    const config = configOf(env);
    group = config.ingest.groupId;
    await createPipelineTopics(config);
    ingestor = await startIngestor(env);
    projector = await startProjector(env);
    const producer = new EventProducer(testKafka(), config.topics);
    await producer.connect();
    await producer.send([
      buildEvent.arrivalRecorded(
        { nationality: 'CN', port: 'khorgos', purpose: 'tourism', travelers: 4 },
        { occurredAt: '2024-05-01T10:00:00Z' },
      ),
      buildEvent.bookingCreated(
        {
          bookingId: 'yen-1',
          market: 'JP',
          destination: 'almaty',
          channel: 'ota',
          travelers: 1,
          checkIn: '2024-07-01',
          nights: 2,
          price: { amount: '15000', currency: 'JPY' },
        },
        { occurredAt: '2024-05-01T10:00:00Z' },
      ),
    ]);
    await producer.sendToRoles([{ role: 'arrivals', key: 'bad', value: Buffer.from('{"not": "an event"') }]);
    await producer.disconnect();
    await waitForConsumed(db().pool, group, 3);
    api = await createApiApp({
      ...env,
      ADMIN_TOKEN: TOKEN,
      // Polling a job's status every 50 ms is beyond the limit (its own spec is admin-tokens.int.spec.ts).
      ADMIN_RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'error',
    });
    await api.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${(api.getHttpServer().address() as { port: number }).port}`;
  });
  afterAll(async () => {
    await api?.close();
    await projector?.close();
    await ingestor?.close();
  });

  it('rebuilds a projection through the API and reports its progress and result', async () => {
    const started = await call('/v1/admin/projections/arrivals_daily/rebuild', { method: 'POST' });
    // Answered once the projector took it: running, or already done when the store is this small.
    expect(started).toMatchObject({
      status: 202,
      body: { projection: 'arrivals_daily', status: expect.stringMatching(/^(running|done)$/) },
    });
    const done = await waitFor(
      async () => {
        const { body } = await call(`/v1/admin/rebuilds/${String(started.body.id)}`);
        return body.status !== 'running' ? body : undefined;
      },
      { what: 'the rebuild finished' },
    );
    expect(done).toMatchObject({
      status: 'done',
      report: { projection: 'arrivals_daily', swapped: true, differences: [] },
    });
    const stored = (await db().pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n as number;
    expect(stored).toBeGreaterThan(0);
    expect(done.eventsReplayed).toBe(stored);
    expect((await call('/v1/admin/projections/nonsense/rebuild', { method: 'POST' })).status).toBe(404);
    expect((await call('/v1/admin/projections/bookings/rebuild', { method: 'POST' }, null)).status).toBe(401);
  });

  it('refuses admin routes without a token or with a wrong one', async () => {
    expect((await call('/v1/admin/counters', {}, null)).status).toBe(401);
    expect((await call('/v1/admin/counters', {}, 'wrong-token-but-long-enough')).status).toBe(401);
    expect((await call('/v1/admin/counters')).status).toBe(200);
  });

  it('lists rejections by code with their original bytes', async () => {
    const { status, body } = await call('/v1/admin/rejections?code=malformed_json');
    expect(status).toBe(200);
    expect(body.total).toBe(1);
    const [item] = body.items as Array<{ valueBase64: string; code: string }>;
    expect(Buffer.from(item?.valueBase64 ?? '', 'base64').toString()).toBe('{"not": "an event"');
    expect((await call('/v1/admin/rejections?code=nonsense')).status).toBe(400);
  });

  it('replays rejections against the current schemas and rates: counted once, counts still adding up', async () => {
    await db().pool.query(
      `INSERT INTO currency_rates (currency, valid_from, usd_per_unit) VALUES ('JPY', '2000-01-01T00:00:00Z', 0.0066)`,
    );
    const before = (await totals(db().pool, group)).all;
    const metricsBefore = await metricValues();

    const replayed = await call('/v1/admin/rejections/replay', {
      method: 'POST',
      body: JSON.stringify({ code: 'unknown_currency' }),
    });
    expect(replayed).toMatchObject({ status: 200, body: { outcomes: [{ outcome: 'accepted' }] } });
    const still = await call('/v1/admin/rejections/replay', {
      method: 'POST',
      body: JSON.stringify({ code: 'malformed_json' }),
    });
    expect(still.body).toMatchObject({ outcomes: [{ outcome: 'rejected', code: 'malformed_json' }] });
    // Replayed again: the resolved rejection is not taken twice.
    expect(
      (
        await call('/v1/admin/rejections/replay', {
          method: 'POST',
          body: JSON.stringify({ code: 'unknown_currency' }),
        })
      ).body,
    ).toEqual({ outcomes: [] });

    const after = (await totals(db().pool, group)).all;
    expect(after.consumed).toBe(before.consumed);
    expect(after.accepted).toBe(before.accepted + 1);
    expect(after.rejected).toBe(before.rejected - 1);
    const stored = await db().pool.query(`SELECT count(*)::int AS n FROM events WHERE data->>'bookingId' = 'yen-1'`);
    expect(stored.rows[0].n).toBe(1);
    // The metrics' counters never go down: the rejection stays counted, the replay is counted beside it.
    const metricsAfter = await metricValues();
    const topic = metricsBefore.find(
      (m) => m.name === 'caravan_rejections_total' && m.labels.code === 'unknown_currency',
    )?.labels.topic as string;
    const of = (values: typeof metricsBefore, name: string, labels: Record<string, string>) =>
      values.find((m) => m.name === name && Object.entries(labels).every(([k, v]) => m.labels[k] === v))?.value ?? 0;
    expect(of(metricsAfter, 'caravan_rejections_total', { topic, code: 'unknown_currency' })).toBe(
      of(metricsBefore, 'caravan_rejections_total', { topic, code: 'unknown_currency' }),
    );
    expect(of(metricsAfter, 'caravan_replayed_total', { topic, outcome: 'accepted' })).toBe(
      of(metricsBefore, 'caravan_replayed_total', { topic, outcome: 'accepted' }) + 1,
    );
    expect(of(metricsAfter, 'caravan_events_accepted_total', { topic })).toBe(
      of(metricsBefore, 'caravan_events_accepted_total', { topic }) + 1,
    );
    const counters = await call('/v1/admin/counters');
    expect((counters.body.topics as Array<{ balanced: boolean }>).every((t) => t.balanced)).toBe(true);
    expect(
      (await call('/v1/admin/rejections/replay', { method: 'POST', body: JSON.stringify({ limit: 0 }) })).status,
    ).toBe(400);
  });

  it('had the replays run by the ingestor and the rebuild by the projector, each recorded as a request', async () => {
    const { rows } = await db().pool.query<{ kind: string; status: string; by: string; executor: string }>(
      `SELECT kind, status, requested_by AS by, split_part(claimed_by, '@', 1) AS executor
       FROM admin_requests ORDER BY requested_at`,
    );
    expect(rows.filter((r) => r.kind === 'replay')).toEqual(
      Array.from({ length: 3 }, () => ({ kind: 'replay', status: 'done', by: 'api', executor: 'ingestor' })),
    );
    expect(rows.filter((r) => r.kind === 'rebuild')).toEqual([
      { kind: 'rebuild', status: 'done', by: 'api', executor: 'projector' },
    ]);
  });
});
