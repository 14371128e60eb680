import { readFileSync } from 'node:fs';
import { buildEvent } from '@caravan/contract';
import { EventProducer } from '@caravan/kafka';
import {
  type ChildApp,
  configOf,
  createPipelineTopics,
  pipelineEnv,
  spawnApp,
  stopApp,
  testKafka,
  useTestDatabase,
  waitFor,
  waitForConsumed,
} from '../harness';

describe('structured logs of the ingestor process', () => {
  const db = useTestDatabase();
  let app: ChildApp | undefined;
  afterAll(async () => {
    if (app) await stopApp(app);
  });

  it('writes one JSON line per batch with its topic, partition and offsets', async () => {
    const env = pipelineEnv(db().url, { LOG_LEVEL: 'debug' });
    const config = configOf(env);
    await createPipelineTopics(config);
    const producer = new EventProducer(testKafka(), config.topics);
    await producer.connect();
    await producer.send([
      buildEvent.mediaViewsReported(
        { platform: 'bilibili', campaign: 'steppe', market: 'CN', views: 3 },
        { occurredAt: '2024-05-01T00:00:00Z' },
      ),
    ]);
    await producer.disconnect();
    app = spawnApp('ingestor', env);
    await waitForConsumed(db().pool, config.ingest.groupId, 1);
    const line = await waitFor(
      () =>
        readFileSync(app!.logFile, 'utf8')
          .split('\n')
          .find((l) => l.includes('"batch ingested"')),
      { what: 'the batch log line' },
    );
    expect(JSON.parse(line)).toMatchObject({
      app: 'ingestor',
      msg: 'batch ingested',
      topic: config.topics.media,
      partition: expect.any(Number),
      firstOffset: '0',
      nextOffset: '1',
      consumed: 1,
      accepted: 1,
    });
  });
});
