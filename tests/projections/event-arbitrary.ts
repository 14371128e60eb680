import fc from 'fast-check';
import { buildEvent } from '@caravan/contract';
import type { OutgoingEvent } from '@caravan/kafka';

// Instants around the edges that matter: Almaty's change to UTC+5 (1 March 2024) and new year.
const INSTANTS = [
  '2024-02-29T18:30:00Z',
  '2024-02-29T19:30:00Z',
  '2024-03-01T18:30:00Z',
  '2024-03-01T19:30:00Z',
  '2024-12-31T18:59:59Z',
  '2024-12-31T20:00:00Z',
  '2023-06-10T18:30:00Z',
  '2024-06-10T18:30:00Z',
];
const BOOKING_IDS = ['b1', 'b2', 'b3', 'b4', 'b5', 'b6'];

const occurredAt = fc.constantFrom(...INSTANTS);
const eventId = fc.uuid({ version: 4 });

const arrival = fc
  .record({
    eventId,
    occurredAt,
    nationality: fc.constantFrom('CN', 'KZ'),
    port: fc.constantFrom('ala-airport', 'khorgos'),
    purpose: fc.constantFrom('tourism' as const, 'business' as const),
    travelers: fc.integer({ min: 1, max: 9 }),
    destination: fc.option(fc.constantFrom('almaty', 'astana'), { nil: undefined }),
  })
  .map(({ eventId: id, occurredAt: at, destination, ...d }) =>
    buildEvent.arrivalRecorded({ ...d, ...(destination ? { destination } : {}) }, { eventId: id, occurredAt: at }),
  );

const booking = fc
  .record({
    eventId,
    occurredAt,
    bookingId: fc.constantFrom(...BOOKING_IDS),
    market: fc.constantFrom('CN', 'RU'),
    destination: fc.constantFrom('almaty', 'astana'),
    channel: fc.constantFrom('ota' as const, 'direct' as const),
    travelers: fc.integer({ min: 1, max: 4 }),
    amount: fc.integer({ min: 0, max: 500_000 }).map((c) => (c / 100).toFixed(2)),
    currency: fc.constantFrom('USD', 'CNY', 'KZT'),
  })
  .map(({ eventId: id, occurredAt: at, amount, currency, ...d }) =>
    buildEvent.bookingCreated(
      { ...d, checkIn: '2024-07-01', nights: 3, price: { amount, currency } },
      { eventId: id, occurredAt: at },
    ),
  );

const cancellation = fc
  .record({ eventId, occurredAt, bookingId: fc.constantFrom(...BOOKING_IDS) })
  .map(({ eventId: id, occurredAt: at, bookingId }) =>
    buildEvent.bookingCancelled({ bookingId }, { eventId: id, occurredAt: at }),
  );

const media = fc
  .record({
    eventId,
    occurredAt,
    platform: fc.constantFrom('douyin', 'weibo'),
    campaign: fc.constantFrom('visit-kz'),
    views: fc.integer({ min: 0, max: 1_000_000 }),
  })
  .map(({ eventId: id, occurredAt: at, ...d }) =>
    buildEvent.mediaViewsReported({ ...d, market: 'CN' }, { eventId: id, occurredAt: at }),
  );

/** Event sets of every type, small domains so bookings, cancellations and days collide. */
export const eventSets = fc.uniqueArray(fc.oneof(arrival, booking, booking, cancellation, cancellation, media), {
  minLength: 1,
  maxLength: 40,
  selector: (e: OutgoingEvent) => e.eventId,
});
