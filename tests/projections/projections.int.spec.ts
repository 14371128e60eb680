import type { Pool } from 'pg';
import { buildEvent } from '@caravan/contract';
import type { CurrencyRate } from '@caravan/domain';
import {
  arrivalsDaily,
  bookings,
  mediaDaily,
  PROJECTIONS,
  ProjectionRunner,
  tableNames,
  watermark,
} from '@caravan/projections';
import { projectionBatchSize } from '@caravan/observability';
import { given, inPostgres, storeEvents, useTestDatabase, waitFor } from '../harness';
import { bookingsScenarios, cancelled, created } from './bookings-scenarios';

const TZ = 'Asia/Almaty';
const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** Rates ops add beside the shipped ones, before any event. */
const addRates = (rates: CurrencyRate[]) => ({
  setUp: (pool: Pool) =>
    pool.query(
      `INSERT INTO currency_rates (currency, valid_from, usd_per_unit)
       SELECT * FROM unnest($1::text[], $2::timestamptz[], $3::numeric[])`,
      [rates.map((r) => r.currency), rates.map((r) => new Date(r.validFromMs)), rates.map((r) => r.usdPerUnit)],
    ),
});

describe('projections, given events, then aggregates (real PostgreSQL)', () => {
  describe('bookings', () => {
    bookingsScenarios((rates = []) => inPostgres(bookings, { timeZone: TZ, ...addRates(rates) }));
  });

  it('puts 2024-12-31T20:00:00Z on 2025-01-01, a local day of Asia/Almaty', async () => {
    const arrival = (travelers: number, occurredAt: string) =>
      buildEvent.arrivalRecorded(
        { nationality: 'CN', port: 'ala-airport', purpose: 'tourism', travelers },
        { occurredAt },
      );
    const row = { nationality: 'CN', port: 'ala-airport', purpose: 'tourism', destination: '', events: 1 };
    await given(arrival(4, '2024-12-31T20:00:00Z'), arrival(1, '2024-12-31T18:59:59Z'))
      .when(inPostgres(arrivalsDaily, { timeZone: TZ }))
      .then({
        arrivals_daily: [
          { day: '2024-12-31', ...row, travelers: 1 },
          { day: '2025-01-01', ...row, travelers: 4 },
        ],
      });
  });

  it('sums the views gained per local day × platform, campaign and market, counting the reports', async () => {
    const views = (platform: string, n: number, occurredAt: string) =>
      buildEvent.mediaViewsReported({ platform, campaign: 'visit-kz', market: 'CN', views: n }, { occurredAt });
    const row = { campaign: 'visit-kz', market: 'CN' };
    await given(views('douyin', 1_000, '2024-12-31T18:59:59Z'), views('douyin', 0, '2024-12-31T12:00:00Z'))
      .and(views('douyin', 250, '2024-12-31T19:00:00Z'), views('weibo', 40, '2024-12-31T19:00:00Z'))
      .when(inPostgres(mediaDaily, { timeZone: TZ }))
      .then({
        media_daily: [
          { day: '2024-12-31', platform: 'douyin', ...row, views: 1_000, reports: 2 },
          { day: '2025-01-01', platform: 'douyin', ...row, views: 250, reports: 1 },
          { day: '2025-01-01', platform: 'weibo', ...row, views: 40, reports: 1 },
        ],
      });
  });

  it('keeps the latest occurredAt accepted as the watermark, whatever arrives later, and counts every event', async () => {
    const arrival = (occurredAt: string) =>
      buildEvent.arrivalRecorded(
        { nationality: 'KZ', port: 'khorgos', purpose: 'business', travelers: 1 },
        { occurredAt },
      );
    await given(arrival('2024-05-02T10:00:00+05:00'), cancelled('b-1', '2024-05-01T10:00:00+05:00'))
      .and(arrival('2024-04-30T10:00:00+05:00'), created('b-1', '2024-05-01T09:00:00+05:00'))
      .when(inPostgres(watermark, { timeZone: TZ }))
      .then({ event_watermark: [{ id: true, max_occurred_at: '2024-05-02T05:00:00+00:00', events: 4 }] });
  });
});

describe('projection runners (real PostgreSQL)', () => {
  const db = useTestDatabase();

  const runnerOptions = { batchSize: 100, timeZone: TZ, idleMs: 50, standbyMs: 100 };

  it('runs one active runner per projection: a second stands by and takes over when the first stops', async () => {
    const arrivals = PROJECTIONS.find((p) => p.name === 'arrivals_daily');
    if (!arrivals) throw new Error('no arrivals projection');
    const options = runnerOptions;
    const first = new ProjectionRunner(db().pool, arrivals, tableNames(arrivals), options, quiet);
    const second = new ProjectionRunner(db().pool, arrivals, tableNames(arrivals), options, quiet);
    first.start();
    await waitFor(() => first.active, { what: 'first runner active' });
    second.start();
    await storeEvents(db().pool, [
      buildEvent.arrivalRecorded(
        { nationality: 'KZ', port: 'khorgos', purpose: 'business', travelers: 3 },
        { occurredAt: '2024-05-01T00:00:00Z' },
      ),
    ]);
    await waitFor(() => first.applied >= 1, { what: 'first runner applied the event' });
    expect(second.active).toBe(false);

    await first.stop();
    await waitFor(() => second.active, { what: 'second runner took over' });
    await storeEvents(db().pool, [
      buildEvent.arrivalRecorded(
        { nationality: 'KZ', port: 'khorgos', purpose: 'business', travelers: 5 },
        { occurredAt: '2024-05-01T01:00:00Z' },
      ),
    ]);
    await waitFor(() => second.applied >= 1, { what: 'second runner applied the new event' });
    await second.stop();
    const { rows } = await db().pool.query('SELECT travelers::int, events::int FROM arrivals_daily');
    expect(rows).toEqual([{ travelers: 8, events: 2 }]);
  });

  it('exports its batch histogram at 0 from its start, so the first batch is an increase the rules see', async () => {
    const media = PROJECTIONS.find((p) => p.name === 'media_daily');
    if (!media) throw new Error('no media projection');
    const runner = new ProjectionRunner(db().pool, media, tableNames(media), runnerOptions, quiet);
    runner.start();
    try {
      const count = async () =>
        (await projectionBatchSize.get()).values.find(
          (v) => v.metricName === 'caravan_projection_batch_events_count' && v.labels.projection === 'media_daily',
        )?.value;
      expect(await count()).toBe(0);
    } finally {
      await runner.stop();
    }
  });
});
