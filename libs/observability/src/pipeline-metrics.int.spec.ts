import type { Admin } from 'kafkajs';
import type { Gauge } from 'prom-client';
import { buildEvent } from '@caravan/contract';
import { storeEvents, useTestDatabase } from '../../../tests/harness';
import { consumerLag, pipelineMetricsRefreshed, projectionLagEvents } from './metrics';
import { KAFKA_DEADLINE_MS, refreshPipelineMetrics } from './pipeline-metrics';

const topics = ['pm.bookings', 'pm.arrivals', 'pm.media'];
const options = { group: 'pm-group', topics };

const valueOf = async (gauge: Gauge, labels: Record<string, string> = {}) =>
  (await gauge.get()).values.find((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value))?.value;

/** Kafka as the refresh sees it: high watermarks per topic, or a failure. */
const kafka = (
  fetchTopicOffsets: () => Promise<Array<{ partition: number; offset: string; high: string; low: string }>>,
) => ({ fetchTopicOffsets }) as unknown as Admin;
const fiveRecordsEach = kafka(async () => [{ partition: 0, offset: '5', high: '5', low: '0' }]);

const arrivals = (n: number) =>
  Array.from({ length: n }, () =>
    buildEvent.arrivalRecorded(
      { nationality: 'KZ', port: 'khorgos', purpose: 'business', travelers: 1 },
      { occurredAt: '2024-05-01T00:00:00Z' },
    ),
  );

describe('refreshPipelineMetrics with Kafka failing (real PostgreSQL)', () => {
  const db = useTestDatabase();

  it('keeps the consumer lag as it was on a Kafka error, and refreshes the figures from PostgreSQL all the same', async () => {
    await refreshPipelineMetrics(db().pool, { ...options, admin: fiveRecordsEach });
    expect(await valueOf(consumerLag, { topic: 'pm.arrivals', partition: '0' })).toBe(5);
    const before = (await valueOf(pipelineMetricsRefreshed)) ?? 0;
    expect(before).toBeGreaterThan(0);

    await storeEvents(db().pool, arrivals(2));
    const errors: string[] = [];
    const brokerGone = kafka(() =>
      Promise.reject(
        Object.assign(new Error('Connection error: connect ECONNREFUSED 127.0.0.1:9092'), {
          name: 'KafkaJSConnectionError',
        }),
      ),
    );
    const status = await refreshPipelineMetrics(db().pool, {
      ...options,
      admin: brokerGone,
      onKafkaError: (error) => errors.push(error.message),
    });

    expect(status.consumerLag).toBeUndefined();
    expect(errors).toEqual(['Connection error: connect ECONNREFUSED 127.0.0.1:9092']);
    expect(await valueOf(projectionLagEvents, { projection: 'bookings' })).toBe(2);
    expect(await valueOf(consumerLag, { topic: 'pm.arrivals', partition: '0' })).toBe(5);
    expect(await valueOf(pipelineMetricsRefreshed)).toBeGreaterThanOrEqual(before);
  });

  it('waits KAFKA_DEADLINE_MS at most for a Kafka that does not answer', async () => {
    await storeEvents(db().pool, arrivals(1));
    const errors: string[] = [];
    const started = Date.now();
    const status = await refreshPipelineMetrics(db().pool, {
      ...options,
      admin: kafka(() => new Promise(() => undefined)),
      onKafkaError: (error) => errors.push(error.message),
    });

    expect(Date.now() - started).toBeLessThan(KAFKA_DEADLINE_MS + 2_000);
    expect(status.consumerLag).toBeUndefined();
    expect(errors).toEqual([`Kafka: no answer within ${KAFKA_DEADLINE_MS} ms`]);
    expect(await valueOf(projectionLagEvents, { projection: 'bookings' })).toBe(3);
  });
});
