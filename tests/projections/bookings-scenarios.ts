import { buildEvent } from '@caravan/contract';
import type { CurrencyRate } from '@caravan/domain';
import { given, type Projector, type Row } from '../harness/projection-spec';

type Price = { amount: string; currency: string };
type Counts = Partial<Record<'bookings' | 'travelers' | 'revenue_cents' | 'cancellations' | 'cancelled_cents', number>>;

export const created = (
  bookingId: string,
  occurredAt: string,
  price: Price = { amount: '700.00', currency: 'CNY' },
  market = 'CN',
) =>
  buildEvent.bookingCreated(
    { bookingId, market, destination: 'almaty', channel: 'ota', travelers: 2, checkIn: '2024-07-01', nights: 4, price },
    { occurredAt },
  );
export const cancelled = (bookingId: string, occurredAt: string) =>
  buildEvent.bookingCancelled({ bookingId }, { occurredAt });

/** A bookings_daily row of market CN (unless told), destination almaty, channel ota: zeros but for `counts`. */
const daily = (day: string, counts: Counts, market = 'CN'): Row => ({
  day,
  market,
  destination: 'almaty',
  channel: 'ota',
  bookings: 0,
  travelers: 0,
  revenue_cents: 0,
  cancellations: 0,
  cancelled_cents: 0,
  ...counts,
});

export const MAY_1 = '2024-05-01T10:00:00+05:00';
const MAY_2 = '2024-05-02T10:00:00+05:00';
export const MAY_3 = '2024-05-03T10:00:00+05:00';
const MAY_4 = '2024-05-04T10:00:00+05:00';
const USD = (amount: string): Price => ({ amount, currency: 'USD' });

/**
 * The bookings projection's rules (docs/contract §3), given events, then bookings_daily: run by its
 * unit spec over the pure fold and by tests/projections over PostgreSQL, with the same rows.
 * `projectedBy(rates)`: where to project, with currency rates added to the shipped ones.
 */
export function bookingsScenarios(projectedBy: (rates?: CurrencyRate[]) => Projector): void {
  const projected = projectedBy();

  it('counts a booking on its local day, with its travelers and its price in USD cents (700 CNY × 0.1390)', async () => {
    await given(created('b-1', MAY_1))
      .when(projected)
      .then({ bookings_daily: [daily('2024-05-01', { bookings: 1, travelers: 2, revenue_cents: 9730 })] });
  });

  it('counts a cancellation that arrived before its booking, on the cancellation day, once the booking arrives', async () => {
    const cancel = cancelled('b-1', MAY_3);
    const booking = created('b-1', MAY_1);
    await given(cancel).when(projected).then({ bookings_daily: [] });
    const expected = [
      daily('2024-05-01', { bookings: 1, travelers: 2, revenue_cents: 9730 }),
      daily('2024-05-03', { cancellations: 1, cancelled_cents: 9730 }),
    ];
    await given(cancel).and(booking).when(projected).then({ bookings_daily: expected });
    await given(cancel, booking).when(projected).then({ bookings_daily: expected });
  });

  it('ignores a second cancellation of the same booking, and moves it to an earlier one that arrives later', async () => {
    const booking = created('b-2', MAY_1, USD('100.00'));
    const expected = [
      daily('2024-05-01', { bookings: 1, travelers: 2, revenue_cents: 10000 }),
      daily('2024-05-02', { cancellations: 1, cancelled_cents: 10000 }),
    ];
    await given(booking, cancelled('b-2', MAY_2))
      .and(cancelled('b-2', MAY_4))
      .when(projected)
      .then({ bookings_daily: expected });
    // The cancellation of 4 May is undone: no row of zeros is left behind.
    await given(booking, cancelled('b-2', MAY_4))
      .and(cancelled('b-2', MAY_2))
      .when(projected)
      .then({ bookings_daily: expected });
  });

  it('counts a redelivered booking (the same event again) once', async () => {
    const booking = created('b-3', MAY_1);
    await given(booking, booking)
      .and(booking)
      .when(projected)
      .then({ bookings_daily: [daily('2024-05-01', { bookings: 1, travelers: 2, revenue_cents: 9730 })] });
  });

  it('counts a booking created again under a new eventId, and cancels it once, at its first creation’s market and price', async () => {
    const first = created('b-4', MAY_1, USD('100.00'), 'CN');
    const again = created('b-4', MAY_2, USD('200.00'), 'RU');
    const cancel = cancelled('b-4', MAY_3);
    const expected = [
      daily('2024-05-01', { bookings: 1, travelers: 2, revenue_cents: 10000 }),
      daily('2024-05-02', { bookings: 1, travelers: 2, revenue_cents: 20000 }, 'RU'),
      daily('2024-05-03', { cancellations: 1, cancelled_cents: 10000 }),
    ];
    await given(first, again).and(cancel).when(projected).then({ bookings_daily: expected });
    // The earlier creation arriving last moves the cancellation from RU's 200 USD to CN's 100.
    await given(again).and(cancel).and(first).when(projected).then({ bookings_daily: expected });
  });

  it('converts each price with the rate valid at its occurredAt, rounding half up to the cent', async () => {
    const kztFromJune = { currency: 'KZT', validFromMs: Date.parse('2024-06-01T00:00:00Z'), usdPerUnit: '0.002' };
    await given(
      created('k-1', '2024-05-31T12:00:00Z', { amount: '100000', currency: 'KZT' }),
      created('k-2', '2024-06-01T12:00:00Z', { amount: '100000', currency: 'KZT' }),
      // 1234.50 × 0.1390 = 171.5955 USD
      created('c-1', '2024-06-02T12:00:00Z', { amount: '1234.50', currency: 'CNY' }),
    )
      .when(projectedBy([kztFromJune]))
      .then({
        bookings_daily: [
          daily('2024-05-31', { bookings: 1, travelers: 2, revenue_cents: 21300 }),
          daily('2024-06-01', { bookings: 1, travelers: 2, revenue_cents: 20000 }),
          daily('2024-06-02', { bookings: 1, travelers: 2, revenue_cents: 17160 }),
        ],
      });
  });

  it('puts each event on its local day in Asia/Almaty, whose 29 February 2024 lasted 25 hours (UTC+6, then UTC+5)', async () => {
    await given(
      created('d-1', '2024-02-29T17:59:59Z', USD('1.00')), // 23:59:59 at +06:00
      created('d-2', '2024-02-29T18:30:00Z', USD('1.00')), // 23:30:00 at +05:00: the hour the change repeated
      created('d-3', '2024-02-29T19:00:00Z', USD('1.00')), // 00:00:00 on 1 March at +05:00
      created('d-4', '2024-12-31T18:59:59Z', USD('1.00')), // 23:59:59 at +05:00
      created('d-5', '2024-12-31T19:00:00Z', USD('1.00')), // 00:00:00 on 1 January 2025
      cancelled('d-1', '2024-12-31T19:00:00Z'),
    )
      .when(projected)
      .then({
        bookings_daily: [
          daily('2024-02-29', { bookings: 2, travelers: 4, revenue_cents: 200 }),
          daily('2024-03-01', { bookings: 1, travelers: 2, revenue_cents: 100 }),
          daily('2024-12-31', { bookings: 1, travelers: 2, revenue_cents: 100 }),
          daily('2025-01-01', {
            bookings: 1,
            travelers: 2,
            revenue_cents: 100,
            cancellations: 1,
            cancelled_cents: 100,
          }),
        ],
      });
  });
}
