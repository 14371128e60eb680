import type { INestApplication } from '@nestjs/common';
import { CompressionCodecs, CompressionTypes, KafkaJSNotImplemented } from 'kafkajs';
import { buildEvent } from '@caravan/contract';
import { createProducer, registerCodecs } from '@caravan/kafka';
import {
  configOf,
  createPipelineTopics,
  pipelineEnv,
  produceWithKcat,
  startIngestor,
  testKafka,
  totals,
  useTestDatabase,
  waitFor,
  waitForConsumed,
} from '../harness';

const arrival = (travelers: number) =>
  JSON.stringify(
    buildEvent.arrivalRecorded(
      { nationality: 'CN', port: 'khorgos', purpose: 'tourism', travelers },
      { occurredAt: '2025-06-01T10:00:00+05:00' },
    ),
  );

describe('a consumer that never dies silently (real Kafka and PostgreSQL)', () => {
  const db = useTestDatabase();
  let app: INestApplication | undefined;
  const codecs = CompressionCodecs as Record<number, () => unknown>;
  registerCodecs();
  const snappy = codecs[CompressionTypes.Snappy];
  afterEach(async () => {
    codecs[CompressionTypes.Snappy] = snappy as () => unknown;
    await app?.close();
  });

  it('restarts a consumer kafkajs gave up on, fails liveness while none runs, and ingests everything once it can read', async () => {
    const env = pipelineEnv(db().url, { TOPIC_PARTITIONS: '1' });
    const config = configOf(env);
    await createPipelineTopics(config);
    app = await startIngestor(env);
    await app.listen(0, '127.0.0.1');
    const base = `http://127.0.0.1:${(app.getHttpServer().address() as { port: number }).port}`;
    const producer = createProducer(testKafka());
    await producer.connect();
    try {
      await producer.send({ topic: config.topics.arrivals, messages: [{ key: 'khorgos', value: arrival(1) }] });
      await waitForConsumed(db().pool, config.ingest.groupId, 1);
      expect((await fetch(`${base}/health/live`)).status).toBe(200);

      // The failure of issue 12: a codec this process cannot read (kafkajs alone lacks snappy), so its
      // consumer crashes with KafkaJSNotImplemented, which kafkajs does not restart.
      codecs[CompressionTypes.Snappy] = () => {
        throw new (KafkaJSNotImplemented as unknown as new (message: string) => Error)(
          'Snappy compression not implemented',
        );
      };
      await produceWithKcat(
        config.topics.arrivals,
        [1, 2, 3].map((n) => ({ key: 'khorgos', value: arrival(n) })),
        { codec: 'snappy', partition: 0 },
      );
      await producer.send({ topic: config.topics.arrivals, messages: [{ key: 'khorgos', value: arrival(4) }] });

      const down = await waitFor(
        async () => {
          const response = await fetch(`${base}/health/live`);
          return response.status === 503
            ? ((await response.json()) as { failing: Array<{ loop: string; downReason?: string }> })
            : undefined;
        },
        { what: 'liveness failing while the consumer is down' },
      );
      expect(down.failing).toEqual([
        expect.objectContaining({
          loop: 'consumer',
          running: false,
          downReason: expect.stringContaining('KafkaJSNotImplemented'),
        }),
      ]);
      // Restarted with backoff, and crashing again while the cause lasts: each restart counted.
      await waitFor(
        async () =>
          /^caravan_loop_restarts_total\{loop="consumer"\} [1-9]/m.test(await (await fetch(`${base}/metrics`)).text()),
        {
          timeoutMs: 60_000,
          what: 'a counted restart of the consumer',
        },
      );
      expect((await totals(db().pool, config.ingest.groupId)).all.consumed).toBe(1);

      // The cause goes away: the next restart reads everything, once.
      codecs[CompressionTypes.Snappy] = snappy as () => unknown;
      await waitForConsumed(db().pool, config.ingest.groupId, 5, 120_000);
      expect((await totals(db().pool, config.ingest.groupId)).all).toMatchObject({
        consumed: 5,
        accepted: 5,
        rejected: 0,
      });
      await waitFor(async () => (await fetch(`${base}/health/live`)).status === 200, { what: 'liveness back' });
      const metrics = await (await fetch(`${base}/metrics`)).text();
      expect(metrics).toMatch(/^caravan_loop_running\{loop="consumer"\} 1$/m);
      expect(metrics).toMatch(/^caravan_loop_errors_total\{loop="consumer"\} [1-9]/m);
    } finally {
      await producer.disconnect();
    }
  }, 300_000);
});
