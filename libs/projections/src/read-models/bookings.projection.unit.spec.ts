import fc from 'fast-check';
import { RateTable } from '@caravan/domain';
import { bookingsFoldedInMemory, given } from '../../../../tests/harness/projection-spec';
import { bookingsScenarios, cancelled, created, MAY_1, MAY_3 } from '../../../../tests/projections/bookings-scenarios';
import { eventSets } from '../../../../tests/projections/event-arbitrary';
import { type BookingState, foldBookings } from './bookings.projection';

const TZ = 'Asia/Almaty';
// The reference rates migration 0002 ships (the scenarios' PostgreSQL runs read them from there).
const SHIPPED = [
  { currency: 'USD', validFromMs: Date.parse('2000-01-01T00:00:00Z'), usdPerUnit: '1' },
  { currency: 'CNY', validFromMs: Date.parse('2000-01-01T00:00:00Z'), usdPerUnit: '0.1390' },
  { currency: 'KZT', validFromMs: Date.parse('2000-01-01T00:00:00Z'), usdPerUnit: '0.00213' },
];
const rates = new RateTable(SHIPPED);
const folded = bookingsFoldedInMemory({ timeZone: TZ, rates });

describe('bookings, given events, then bookings_daily: the pure fold, its table kept in memory', () => {
  bookingsScenarios((added = []) =>
    bookingsFoldedInMemory({ timeZone: TZ, rates: new RateTable([...SHIPPED, ...added]) }),
  );
});

describe('foldBookings', () => {
  const context = { timeZone: TZ, rates };
  const stored = (events: ReturnType<typeof created | typeof cancelled>[]) =>
    events.map((e, i) => ({ ...e, position: i + 1, occurredAt: new Date(e.occurredAt) }));

  it('returns the states of the bookings it touched and leaves the prior states as they were', () => {
    const before = foldBookings(stored([created('b-1', MAY_1), created('b-2', MAY_1)]), new Map(), context).after;
    const copy = structuredClone(before);
    const { after, deltas } = foldBookings(stored([cancelled('b-1', MAY_3)]), before, context);
    expect(before).toEqual(copy);
    expect([...after.keys()]).toEqual(['b-1']);
    expect(after.get('b-1')).toMatchObject({
      created: { day: '2024-05-01', market: 'CN', usdCents: 9730n },
      cancel: { day: '2024-05-03' },
    });
    expect(deltas).toEqual([
      {
        day: '2024-05-03',
        market: 'CN',
        destination: 'almaty',
        channel: 'ota',
        bookings: 0,
        travelers: 0,
        revenueCents: 0n,
        cancellations: 1,
        cancelledCents: 9730n,
      },
    ]);
  });

  it('keeps the earliest creation by event time, then by eventId, whatever the order of arrival', () => {
    const withId = (eventId: string, market: string) => ({ ...created('b-1', MAY_1, undefined, market), eventId });
    const a = withId('00000000-0000-4000-8000-000000000001', 'CN');
    const b = withId('00000000-0000-4000-8000-000000000002', 'RU');
    const earliest = (events: (typeof a)[]) => foldBookings(stored(events), new Map(), context).after.get('b-1');
    expect(earliest([a, b])?.created?.market).toBe('CN');
    expect(earliest([b, a])?.created?.market).toBe('CN');
  });

  it('keeps what is known of a booking cancelled before it was created', () => {
    const { after, deltas } = foldBookings(stored([cancelled('b-9', MAY_3)]), new Map(), context);
    expect(after.get('b-9')).toEqual<BookingState>({
      bookingId: 'b-9',
      cancel: expect.objectContaining({ day: '2024-05-03' }) as BookingState['cancel'],
    });
    expect(deltas).toEqual([]);
  });

  it('throws on a price without a rate valid at its occurredAt (the event is set aside)', () => {
    expect(() =>
      foldBookings(stored([created('b-1', MAY_1, { amount: '10.00', currency: 'JPY' })]), new Map(), context),
    ).toThrow(/no JPY rate valid at 2024-05-01T05:00:00.000Z/);
  });

  it('gives the same bookings_daily in any order of arrival and any batches (property-based)', async () => {
    const bookingEvents = eventSets.map((events) => events.filter((e) => e.type.startsWith('Booking')));
    await fc.assert(
      fc.asyncProperty(
        bookingEvents.chain((events) =>
          fc.tuple(
            fc.constant(events),
            fc.shuffledSubarray(events, { minLength: events.length, maxLength: events.length }),
            fc.integer({ min: 1, max: 5 }),
          ),
        ),
        async ([events, shuffled, batchSize]) => {
          const batches = Array.from({ length: Math.ceil(shuffled.length / batchSize) }, (_, i) =>
            shuffled.slice(i * batchSize, (i + 1) * batchSize),
          );
          const inOrder = await folded.project([events], ['bookings_daily']);
          const [first = [], ...later] = batches;
          await later
            .reduce((spec, batch) => spec.and(...batch), given(...first))
            .when(folded)
            .then(inOrder);
        },
      ),
      { numRuns: 300 },
    );
  });
});
