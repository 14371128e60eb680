import { RateTable } from '@caravan/domain';
import { DEFAULT_RATES } from '@caravan/simulator';
import type { TourismEmmettEvent } from '../events';
import { foldArrivals } from './arrivals-daily.projection';
import { foldBookings } from './bookings-daily.projection';
import { dailyProjections } from './index';

const meta = (occurredAt: string) => ({
  messageId: '0b9d6c2e-4f6a-4a8e-9c1e-2f1d3b6a7c10',
  occurredAt,
  producer: 'test',
  schemaVersion: 1,
});

describe('Emmett peer read models', () => {
  it('folds arrivals by local day in the time zone, and skips the other events of an append', () => {
    // Given two arrivals either side of midnight in Almaty (UTC+5 since March 2024), and a media report.
    const events: TourismEmmettEvent[] = [
      {
        type: 'ArrivalRecorded',
        data: { nationality: 'CN', port: 'ala-airport', purpose: 'tourism', travelers: 3 },
        metadata: meta('2024-03-28T18:30:00Z'),
      },
      {
        type: 'ArrivalRecorded',
        data: { nationality: 'CN', port: 'ala-airport', purpose: 'tourism', travelers: 2 },
        metadata: meta('2024-03-28T19:30:00Z'),
      },
      {
        type: 'MediaViewsReported',
        data: { platform: 'douyin', campaign: 'visit-almaty', market: 'CN', views: 10 },
        metadata: meta('2024-03-28T10:00:00Z'),
      },
    ];
    // When folded, then one row per local day, destination '' when not given.
    expect(foldArrivals(events, 'Asia/Almaty')).toEqual([
      { day: '2024-03-28', nationality: 'CN', port: 'ala-airport', purpose: 'tourism', destination: '', travelers: 3 },
      { day: '2024-03-29', nationality: 'CN', port: 'ala-airport', purpose: 'tourism', destination: '', travelers: 2 },
    ]);
  });

  it('counts bookings and converts gross prices to USD cents, ignoring cancellations', () => {
    const created = (amount: string, currency: string): TourismEmmettEvent => ({
      type: 'BookingCreated',
      data: {
        bookingId: 'b-1',
        market: 'CN',
        destination: 'almaty',
        channel: 'ota',
        travelers: 2,
        checkIn: '2024-04-01',
        nights: 3,
        price: { amount, currency },
      },
      metadata: meta('2024-03-28T10:00:00+05:00'),
    });
    const cancelled: TourismEmmettEvent = {
      type: 'BookingCancelled',
      data: { bookingId: 'b-1' },
      metadata: meta('2024-03-28T11:00:00+05:00'),
    };
    expect(
      foldBookings(
        [created('100', 'CNY'), created('10.50', 'USD'), cancelled],
        'Asia/Almaty',
        new RateTable(DEFAULT_RATES),
      ),
    ).toEqual([
      {
        day: '2024-03-28',
        market: 'CN',
        destination: 'almaty',
        channel: 'ota',
        bookings: 2,
        grossUsdCents: 1390n + 1050n,
      },
    ]);
  });

  it('defines the three projections as Emmett raw batch SQL projections', () => {
    const names = dailyProjections('Asia/Almaty', new RateTable(DEFAULT_RATES)).map((p) => [p.name, p.canHandle]);
    expect(names).toEqual([
      ['arrivals_daily', ['ArrivalRecorded']],
      ['bookings_daily', ['BookingCreated']],
      ['media_daily', ['MediaViewsReported']],
    ]);
  });
});
