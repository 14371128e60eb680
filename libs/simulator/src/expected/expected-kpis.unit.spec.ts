import { buildEvent, type TourismEvent } from '@caravan/contract';
import { RateTable } from '@caravan/domain';
import { ARTICLE_TARGETS, DEFAULT_RATES } from '../defaults';
import type { ExpectedKpi } from '../types';
import { expectedKpis } from './expected-kpis';

const ZONE = 'Asia/Almaty';
const rates = new RateTable(DEFAULT_RATES);
let n = 0;
const id = () => `00000000-0000-4000-8000-${String(++n).padStart(12, '0')}`;
const at = (occurredAt: string) => ({ eventId: id(), occurredAt, producer: 'spec' });

const booking = (
  bookingId: string,
  occurredAt: string,
  over: Partial<Parameters<typeof buildEvent.bookingCreated>[0]> = {},
) =>
  buildEvent.bookingCreated(
    {
      bookingId,
      market: 'CN',
      destination: 'almaty',
      channel: 'ota',
      travelers: 2,
      checkIn: '2025-01-10',
      nights: 3,
      price: { amount: '1234.50', currency: 'CNY' },
      ...over,
    },
    at(occurredAt),
  );
const cancel = (bookingId: string, occurredAt: string) => buildEvent.bookingCancelled({ bookingId }, at(occurredAt));
const arrival = (travelers: number, occurredAt: string, destination?: string) =>
  buildEvent.arrivalRecorded(
    { nationality: 'CN', port: 'khorgos', purpose: 'tourism', travelers, ...(destination ? { destination } : {}) },
    at(occurredAt),
  );

const find = (all: ExpectedKpi[], kpi: string, scope: Record<string, string>) =>
  all.find((e) => e.kpi === kpi && JSON.stringify(e.scope) === JSON.stringify(scope));

describe('expectedKpis (what the publisher publishes for ytd)', () => {
  const events: TourismEvent[] = [
    // 2023 (UTC+6): 18:30Z on 31 December 2023 is already 2024 locally.
    arrival(100, '2023-03-01T10:00:00+06:00', 'almaty'),
    arrival(7, '2023-12-31T18:30:00Z'),
    booking('b-old', '2023-05-01T12:00:00+06:00', { destination: 'astana', price: { amount: '100', currency: 'USD' } }),
    // A 2023 booking cancelled in 2024: the cancellation counts in 2024, with the booking's price.
    booking('b-cross', '2023-12-30T12:00:00+06:00', { price: { amount: '50.00', currency: 'USD' } }),
    cancel('b-cross', '2024-01-02T09:00:00+06:00'),
    // Sent before its booking, twice: counted once, on the first cancellation's day.
    cancel('b-early', '2024-06-02T10:00:00+05:00'),
    cancel('b-early', '2024-06-03T10:00:00+05:00'),
    booking('b-early', '2024-06-01T10:00:00+05:00'),
    booking('b-kzt', '2024-06-01T11:00:00+05:00', {
      destination: 'astana',
      channel: 'agency',
      price: { amount: '1000000', currency: 'KZT' },
    }),
    // A cancellation of a booking never seen counts nowhere.
    cancel('b-ghost', '2024-06-04T10:00:00+05:00'),
    booking('b-de', '2024-07-01T11:00:00+05:00', {
      market: 'DE',
      destination: 'turkestan',
      price: { amount: '10.00', currency: 'EUR' },
    }),
    arrival(3, '2024-12-31T23:59:59+05:00', 'borovoe'),
    buildEvent.mediaViewsReported(
      { platform: 'douyin', campaign: 'year-of-kazakhstan-tourism', market: 'CN', views: 0 },
      at('2024-04-01T09:00:00+05:00'),
    ),
  ];
  const all = expectedKpis(events, { timeZone: ZONE, rates, targets: [...ARTICLE_TARGETS] });

  it('counts arrivals by local day, the year before 2024 local being the previous window', () => {
    expect(find(all, 'arrivals', { nationality: 'CN' })).toEqual({
      kpi: 'arrivals',
      window: 'ytd',
      scope: { nationality: 'CN' },
      value: 10,
      previous: 100,
      changePct: -90,
      target: 500_000,
      progressPct: 0,
    });
    // An arrival without destination has no destination scope; a destination seen only a year earlier still has one.
    expect(find(all, 'arrivals', { destination: 'almaty' })).toMatchObject({
      value: 0,
      previous: 100,
      changePct: -100,
    });
    expect(find(all, 'arrivals', { destination: 'borovoe' })).toMatchObject({ value: 3, previous: 0, changePct: null });
    expect(all.filter((e) => e.kpi === 'arrivals').map((e) => JSON.stringify(e.scope))).not.toContain(
      '{"destination":""}',
    );
  });

  it('converts prices at the default rates to cents, and takes cancelled prices off net revenue on the cancellation day', () => {
    // 1234.50 CNY × 0.1390 = 171.5955 → 171.60; 1,000,000 KZT × 0.00213 = 2130.00
    expect(find(all, 'revenue_usd', { market: 'CN' })).toEqual({
      kpi: 'revenue_usd',
      window: 'ytd',
      scope: { market: 'CN' },
      value: 2301.6,
      previous: 150,
      changePct: 1434.4,
      target: 300_000_000,
      progressPct: 0,
    });
    expect(find(all, 'net_revenue_usd', { market: 'CN' })).toMatchObject({ value: 2301.6 - 171.6 - 50, previous: 150 });
    expect(find(all, 'bookings_cancelled', { market: 'CN' })).toMatchObject({
      value: 2,
      previous: 0,
      changePct: null,
      target: null,
      progressPct: null,
    });
    expect(find(all, 'bookings_cancelled', { destination: 'almaty' })).toMatchObject({ value: 2 });
    expect(find(all, 'revenue_usd', { market: 'DE' })).toMatchObject({ value: 10.82, previous: 0 });
  });

  it('ranks destinations by bookings, ties by name, entries above zero only', () => {
    expect(find(all, 'destination_rank', {})).toEqual({
      kpi: 'destination_rank',
      window: 'ytd',
      scope: {},
      value: [
        { destination: 'almaty', bookings: 1 },
        { destination: 'astana', bookings: 1 },
        { destination: 'turkestan', bookings: 1 },
      ],
      previous: [
        { destination: 'almaty', bookings: 1 },
        { destination: 'astana', bookings: 1 },
      ],
      changePct: null,
    });
    expect(find(all, 'destination_rank', { market: 'DE' })).toMatchObject({
      value: [{ destination: 'turkestan', bookings: 1 }],
      previous: [],
    });
  });

  it('has a whole-market figure per KPI, zero views included, and nothing for an empty store', () => {
    expect(find(all, 'media_views', {})).toMatchObject({ value: 0, previous: 0, changePct: null });
    expect(find(all, 'media_views', { platform: 'douyin' })).toMatchObject({ value: 0 });
    expect(find(all, 'bookings', {})).toMatchObject({ value: 3, previous: 2, changePct: 50 });
    expect(expectedKpis([], { timeZone: ZONE, rates, targets: [] })).toEqual([]);
  });

  it('ends the window with the watermark’s local day: a last event at 20:00Z on 31 December moves ytd to 2025', () => {
    // ytd is then 2025-01-01 alone, previous 2024-01-01 alone (the 7 travellers of 18:30Z on 31 December 2023).
    const later = expectedKpis([...events, arrival(1, '2024-12-31T20:00:00Z')], {
      timeZone: ZONE,
      rates,
      targets: [...ARTICLE_TARGETS],
    });
    expect(find(later, 'arrivals', { nationality: 'CN' })).toEqual({
      kpi: 'arrivals',
      window: 'ytd',
      scope: { nationality: 'CN' },
      value: 1,
      previous: 7,
      changePct: -85.7,
      target: null,
      progressPct: null,
    });
  });
});
