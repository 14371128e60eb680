import { buildEvent, type KpiSnapshot, snapshotKey } from '@caravan/contract';
import { ensureTopics, type OutgoingEvent } from '@caravan/kafka';
import { catchUp, PROJECTIONS, tableNames } from '@caravan/projections';
import { computeSnapshotSet, createSnapshotProducer, SnapshotPublisher, storeSnapshots } from '@caravan/publisher';
import {
  projectAll,
  readTopic,
  storeEvents,
  testKafka,
  uniqueName,
  useTestDatabase,
  type TestDatabase,
} from '../harness';

const TZ = 'Asia/Almaty';

async function given(db: TestDatabase, events: OutgoingEvent[]): Promise<void> {
  await storeEvents(db.pool, events, 500);
  await projectAll(db.pool, { timeZone: TZ, batchSize: 5_000 });
}

/** `total` CN travelers over a year, in arrivals of 1,000 spread over its days, at local noon. */
function yearOfArrivals(year: number, total: number, lastDay?: string): OutgoingEvent[] {
  const events: OutgoingEvent[] = [];
  for (let i = 0; i < total / 1000; i++) {
    const day = new Date(Date.UTC(year, 0, 1 + Math.floor((i * 364) / (total / 1000))));
    const date = i === total / 1000 - 1 && lastDay ? lastDay : day.toISOString().slice(0, 10);
    events.push(
      buildEvent.arrivalRecorded(
        {
          nationality: 'CN',
          port: i % 3 === 0 ? 'khorgos' : 'ala-airport',
          purpose: 'tourism',
          travelers: 1000,
          destination: 'almaty',
        },
        { occurredAt: `${date}T12:00:00+05:00` },
      ),
    );
  }
  return events;
}

const find = (snapshots: KpiSnapshot[], kpi: string, window: string, scope: Record<string, string>) =>
  snapshots.find((s) => snapshotKey(s.kpi, s.window, s.scope) === snapshotKey(kpi, window, scope));

describe('KPI snapshots from the aggregates (real PostgreSQL and Kafka)', () => {
  const db = useTestDatabase();

  it("gives the article's year in miniature: 655,000 CN arrivals in 2024, +78.0% on 368,000, 131.0% of the 500,000 target", async () => {
    await given(db(), [...yearOfArrivals(2023, 368_000), ...yearOfArrivals(2024, 655_000, '2024-12-31')]);
    const { snapshots } = await computeSnapshotSet(db().pool, TZ);
    const ytd = find(snapshots, 'arrivals', 'ytd', { nationality: 'CN' });
    expect(ytd).toMatchObject({
      kpi: 'arrivals',
      window: 'ytd',
      scope: { nationality: 'CN' },
      from: '2024-01-01T00:00:00+06:00',
      asOf: '2024-12-31T12:00:00+05:00',
      value: 655_000,
      previous: 368_000,
      changePct: 78,
      target: 500_000,
      progressPct: 131,
    });
    expect(find(snapshots, 'arrivals', 'ytd', {})?.value).toBe(655_000);
    expect(find(snapshots, 'arrivals', '1d', {})).toMatchObject({ value: 1000, from: '2024-12-31T00:00:00+05:00' });
    expect(find(snapshots, 'arrivals', 'ytd', { destination: 'almaty' })?.value).toBe(655_000);
  });

  it('publishes changed snapshots to a compacted topic, keyed kpi|window|scope, with increasing positions; a late event corrects the next one', async () => {
    const topic = uniqueName('snapshots');
    const kafka = testKafka();
    const admin = kafka.admin();
    await admin.connect();
    await ensureTopics(admin, [
      { topic, numPartitions: 1, configEntries: [{ name: 'cleanup.policy', value: 'compact' }] },
    ]);
    const config = await admin.describeConfigs({
      includeSynonyms: false,
      resources: [{ type: 2, name: topic, configNames: ['cleanup.policy'] }],
    });
    await admin.disconnect();
    expect(config.resources[0]?.configEntries[0]?.configValue).toBe('compact');

    const producer = createSnapshotProducer(kafka, topic);
    await producer.connect();
    const publisher = new SnapshotPublisher(db().pool, producer, topic, TZ);
    try {
      const first = await publisher.publishChanges();
      expect(first.published).toBe(first.computed);
      expect((await publisher.publishChanges()).published).toBe(0);

      // A late arrival in June 2024, inside the published ytd window.
      await given(db(), [
        buildEvent.arrivalRecorded(
          { nationality: 'CN', port: 'khorgos', purpose: 'tourism', travelers: 7 },
          { occurredAt: '2024-06-15T09:00:00+05:00' },
        ),
      ]);
      const second = await publisher.publishChanges();
      expect(second.published).toBeGreaterThan(0);
      expect(second.published).toBeLessThan(second.computed);
      expect(second.position).toBeGreaterThan(first.position);

      const messages = await readTopic(topic, first.published + second.published);
      const ytdCn = messages
        .filter((m) => m.key?.toString() === 'arrivals|ytd|nationality=CN')
        .map((m) => JSON.parse(String(m.value)) as KpiSnapshot);
      expect(ytdCn.map((s) => s.value)).toEqual([655_000, 655_007]);
      expect(ytdCn[1]?.position).toBeGreaterThan(ytdCn[0]?.position ?? Infinity);
      expect(messages.every((m) => /^[a-z_]+\|(1d|7d|30d|mtd|ytd)\|(\*|[a-z]+=[^|,]+)$/.test(String(m.key)))).toBe(
        true,
      );
      const history = await db().pool.query(
        `SELECT count(*)::int AS n FROM kpi_snapshots WHERE key = 'arrivals|ytd|nationality=CN'`,
      );
      expect(history.rows[0].n).toBe(2);
    } finally {
      await producer.disconnect();
    }
  });

  it('publishes a snapshot again with its position once the projections are level, when it was published while they were not (also after a restart)', async () => {
    await given(db(), yearOfArrivals(2024, 20_000, '2024-12-31'));
    const topic = uniqueName('snapshots');
    const producer = createSnapshotProducer(testKafka(), topic);
    await producer.connect();
    const publisher = new SnapshotPublisher(db().pool, producer, topic, TZ);
    try {
      const first = await publisher.publishChanges();
      const ytd = async () =>
        (await db().pool.query(`SELECT snapshot FROM kpi_latest WHERE key = 'arrivals|ytd|*'`)).rows[0]
          .snapshot as KpiSnapshot;
      const before = (await ytd()).value as number;
      // A late arrival stored; only arrivals_daily and watermark apply it: bookings and media_daily
      // (which it does not concern) lag behind, so the position stays the old one.
      await storeEvents(
        db().pool,
        [
          buildEvent.arrivalRecorded(
            { nationality: 'CN', port: 'khorgos', purpose: 'tourism', travelers: 7 },
            { occurredAt: '2024-06-15T09:00:00+05:00' },
          ),
        ],
        500,
      );
      const client = await db().pool.connect();
      const catchUpOnly = async (names: string[]) => {
        for (const p of PROJECTIONS.filter((x) => names.includes(x.name)))
          await catchUp(client, p, tableNames(p), { batchSize: 5_000, timeZone: TZ });
      };
      try {
        await catchUpOnly(['arrivals_daily', 'watermark']);
        const early = await publisher.publishChanges();
        expect(early.position).toBe(first.position);
        expect(early.published).toBeGreaterThan(0);
        expect(await ytd()).toMatchObject({ value: before + 7, position: first.position });

        // The publisher restarts (what it published early is remembered in kpi_latest), the others
        // catch up: no value changes, but what was published early now says so.
        const restarted = new SnapshotPublisher(db().pool, producer, topic, TZ);
        await catchUpOnly(['bookings', 'media_daily']);
        const level = await restarted.publishChanges();
        expect(level.position).toBeGreaterThan(first.position);
        expect(level.published).toBe(early.published);
        expect(await ytd()).toMatchObject({ value: before + 7, position: level.position });
        expect((await restarted.publishChanges()).published).toBe(0);
        expect((await db().pool.query('SELECT count(*)::int AS n FROM kpi_latest WHERE provisional')).rows[0].n).toBe(
          0,
        );
      } finally {
        client.release();
      }
    } finally {
      await producer.disconnect();
    }
  });

  it('never moves kpi_latest back to a lower position, nor streams an older snapshot, whoever writes last (a publisher that lost its leadership)', async () => {
    await given(db(), yearOfArrivals(2024, 2_000, '2024-12-31'));
    const topic = uniqueName('snapshots');
    const producer = createSnapshotProducer(testKafka(), topic);
    await producer.connect();
    try {
      await new SnapshotPublisher(db().pool, producer, topic, TZ).publishChanges();
    } finally {
      await producer.disconnect();
    }
    const latest = async () =>
      (await db().pool.query<{ snapshot: KpiSnapshot }>(`SELECT snapshot FROM kpi_latest WHERE key = 'arrivals|ytd|*'`))
        .rows[0]?.snapshot as KpiSnapshot;
    const historyRows = async () =>
      (
        await db().pool.query<{ n: number }>(
          `SELECT count(*)::int AS n FROM kpi_snapshots WHERE key = 'arrivals|ytd|*'`,
        )
      ).rows[0]?.n;
    const published = await latest();
    const before = await historyRows();
    // What a zombie publisher computed earlier, written last: dropped.
    const stale: KpiSnapshot = { ...published, position: published.position - 1, value: 1 };
    const client = await db().pool.connect();
    try {
      expect(await storeSnapshots(client, [stale], false)).toBe(0);
      expect(await latest()).toEqual(published);
      expect(await historyRows()).toBe(before);
      // The same position, or a higher one, is taken.
      const next: KpiSnapshot = { ...published, position: published.position + 1 };
      expect(await storeSnapshots(client, [next], false)).toBe(1);
      expect((await latest()).position).toBe(published.position + 1);
    } finally {
      client.release();
    }
  });
});
