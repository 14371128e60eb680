import type { INestApplication } from '@nestjs/common';
import { buildEvent } from '@caravan/contract';
import { EventProducer } from '@caravan/kafka';
import type { PipelineSummary } from '@caravan/http-api';
import { PIPELINE_REFRESH_DEADLINE_MS } from '@caravan/health';
import { PIPELINE_METRIC_NAMES } from '@caravan/observability';
import { createApiApp } from '../../apps/api/src/api.app';
import {
  configOf,
  createPipelineTopics,
  freePort,
  pipelineEnv,
  startIngestor,
  storeEvents,
  testKafka,
  totals,
  useTestDatabase,
  waitForConsumed,
} from '../harness';

type Sample = { name: string; labels: Record<string, string>; value: number };

/** Parses Prometheus text exposition; throws on a line that is neither a comment nor a sample. */
function parsePrometheus(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('# HELP ') || line.startsWith('# TYPE ')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.]+(?:e[+-]?\d+)?|NaN|[+-]Inf)$/.exec(line);
    if (!match) throw new Error(`not Prometheus text: ${line}`);
    const labels = Object.fromEntries(
      [...(match[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)].map((m) => [m[1], m[2]]),
    );
    samples.push({ name: match[1] as string, labels, value: Number(match[3]) });
  }
  return samples;
}

describe('the /metrics of an app (real Kafka and PostgreSQL)', () => {
  const db = useTestDatabase();
  let app: INestApplication;

  afterAll(async () => {
    await app?.close();
  });

  it("parses as Prometheus text: an app's own figures, and the api's pipeline-wide counters equal to the database's", async () => {
    const env = pipelineEnv(db().url);
    const config = configOf(env);
    await createPipelineTopics(config);
    app = await startIngestor(env);
    await app.listen(0, '127.0.0.1');
    const port = (app.getHttpServer().address() as { port: number }).port;

    const producer = new EventProducer(testKafka(), config.topics);
    await producer.connect();
    const arrival = buildEvent.arrivalRecorded(
      { nationality: 'CN', port: 'ala-airport', purpose: 'tourism', travelers: 2 },
      { occurredAt: '2024-05-01T10:00:00Z' },
    );
    await producer.send([
      arrival,
      arrival,
      buildEvent.mediaViewsReported(
        { platform: 'weibo', campaign: 'silk-road', market: 'CN', views: 10 },
        { occurredAt: '2024-05-01T10:00:00Z' },
      ),
    ]);
    await producer.sendToRoles([{ role: 'arrivals', key: 'x', value: Buffer.from('not json') }]);
    await producer.disconnect();
    await waitForConsumed(db().pool, config.ingest.groupId, 4);

    // The ingestor's own figures only: the pipeline-wide ones come from one app (the api), so a sum
    // over the apps counts them once.
    const ingestorResponse = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(ingestorResponse.status).toBe(200);
    expect(ingestorResponse.headers.get('content-type')).toMatch(/text\/plain/);
    const own = parsePrometheus(await ingestorResponse.text());
    expect(own.find((s) => s.name === 'caravan_ingest_batch_records_count')?.value).toBeGreaterThanOrEqual(1);
    expect(own.find((s) => s.name === 'caravan_loop_running' && s.labels.loop === 'consumer')?.value).toBe(1);
    expect(own.some((s) => s.name === 'caravan_process_cpu_user_seconds_total')).toBe(true);
    expect(own.filter((s) => PIPELINE_METRIC_NAMES.includes(s.name))).toEqual([]);
    // The ingestor's labelled counters exist at 0 from its start, so their first increase is one a
    // rule sees (a series that first appears holding its count shows no increase()).
    const ownValue = (name: string, labels: Record<string, string>) =>
      own.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
    for (const topic of [config.topics.bookings, config.topics.arrivals, config.topics.media]) {
      expect(ownValue('caravan_ingest_offsets_skipped_total', { topic })).toBe(0);
      expect(ownValue('caravan_ingest_seeks_total', { topic })).toBe(0);
    }
    for (const kind of ['transient', 'fault'])
      expect(ownValue('caravan_ingest_transaction_failures_total', { kind })).toBe(0);

    const api = await createApiApp(env);
    try {
      await api.listen(0, '127.0.0.1');
      const apiBase = `http://127.0.0.1:${(api.getHttpServer().address() as { port: number }).port}`;
      const response = await fetch(`${apiBase}/metrics`);
      expect(response.status).toBe(200);
      const samples = parsePrometheus(await response.text());
      const value = (name: string, labels: Record<string, string>) =>
        samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
      const { byTopic } = await totals(db().pool, config.ingest.groupId);
      expect(byTopic.length).toBe(2);
      for (const t of byTopic) {
        expect(value('caravan_records_consumed_total', { topic: t.topic })).toBe(t.consumed);
        expect(value('caravan_events_accepted_total', { topic: t.topic })).toBe(t.accepted);
        expect(value('caravan_duplicates_total', { topic: t.topic }) ?? 0).toBe(t.duplicate);
        for (const [code, n] of Object.entries(t.rejectedByCode))
          expect(value('caravan_rejections_total', { topic: t.topic, code })).toBe(n);
      }
      expect(value('caravan_rejections_total', { topic: config.topics.arrivals, code: 'malformed_json' })).toBe(1);
      // A topic with no record yet, and a code never given, are series at 0 all the same.
      expect(value('caravan_records_consumed_total', { topic: config.topics.bookings })).toBe(0);
      expect(value('caravan_events_accepted_total', { topic: config.topics.bookings })).toBe(0);
      expect(value('caravan_rejections_total', { topic: config.topics.arrivals, code: 'schema' })).toBe(0);
      expect(value('caravan_consumer_lag_records', { topic: config.topics.arrivals, partition: '0' })).toBe(0);
      // No projector runs here: every stored event is lag for every projection.
      const stored = (await db().pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n as number;
      expect(stored).toBe(2);
      expect(value('caravan_projection_lag_events', { projection: 'bookings' })).toBe(stored);
      expect(value('caravan_projection_lag_seconds', { projection: 'bookings' })).toBeGreaterThan(0);

      // The same figures, as the dashboard's health strip reads them from the api (no token).
      const status = (await (await fetch(`${apiBase}/v1/pipeline`)).json()) as PipelineSummary;
      const sum = (f: (t: (typeof byTopic)[number]) => number) => byTopic.reduce((n, t) => n + f(t), 0);
      expect(status.totals).toEqual({
        consumed: sum((t) => t.consumed),
        accepted: sum((t) => t.accepted),
        duplicate: sum((t) => t.duplicate),
        rejected: 1,
        rejectedByCode: { malformed_json: 1 },
      });
      expect(status.consumerLag).toBe(0);
      expect(status.projections.find((p) => p.name === 'bookings')).toMatchObject({ lagEvents: stored, setAside: 0 });
      const pending = (
        await db().pool.query(
          'SELECT count(*)::int AS n FROM rejections WHERE dlq_published_at IS NULL AND dlq_failed_at IS NULL',
        )
      ).rows[0].n as number;
      expect(status.dlq.pending).toBe(pending);
      expect(JSON.stringify(status)).not.toMatch(/not json/);
    } finally {
      await api.close();
    }
  });

  it("answers in time with fresh PostgreSQL figures when the api's Kafka is unreachable", async () => {
    const env = pipelineEnv(db().url, { KAFKA_BROKERS: `127.0.0.1:${await freePort()}`, LOG_LEVEL: 'fatal' });
    await storeEvents(db().pool, [
      buildEvent.arrivalRecorded(
        { nationality: 'KZ', port: 'khorgos', purpose: 'business', travelers: 1 },
        { occurredAt: '2024-05-01T10:00:00Z' },
      ),
    ]);
    const api = await createApiApp(env);
    try {
      await api.listen(0, '127.0.0.1');
      const apiBase = `http://127.0.0.1:${(api.getHttpServer().address() as { port: number }).port}`;
      const started = Date.now() / 1000;
      const response = await fetch(`${apiBase}/metrics`);
      expect(response.status).toBe(200);
      expect(Date.now() / 1000 - started).toBeLessThan(PIPELINE_REFRESH_DEADLINE_MS / 1000);
      const samples = parsePrometheus(await response.text());
      const value = (name: string, labels: Record<string, string> = {}) =>
        samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
      const stored = (await db().pool.query('SELECT count(*)::int AS n FROM events')).rows[0].n as number;
      expect(value('caravan_projection_lag_events', { projection: 'bookings' })).toBe(stored);
      expect(value('caravan_pipeline_metrics_refreshed_timestamp_seconds')).toBeGreaterThanOrEqual(started);
    } finally {
      await api.close();
    }
  });
});
