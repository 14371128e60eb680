import { z } from 'zod';
import { buildEvent } from './builders';
import { EventRegistry } from './registry';
import { validateRecord, type ValidationContext } from './validate-record';

const NOW = Date.parse('2024-06-01T12:00:00Z');
const context: ValidationContext = { nowMs: NOW, hasRate: (c) => ['USD', 'CNY', 'KZT', 'EUR', 'RUB'].includes(c) };
const bytes = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

const arrival = buildEvent.arrivalRecorded(
  { nationality: 'CN', port: 'ala-airport', purpose: 'tourism', travelers: 3, destination: 'almaty' },
  {
    eventId: '0b9d6c2e-4f6a-4a8e-9c1e-2f1d3b6a7c10',
    occurredAt: '2024-03-28T10:15:00+05:00',
    producer: 'border-service',
  },
);
const booking = buildEvent.bookingCreated(
  {
    bookingId: 'b-1',
    market: 'CN',
    destination: 'almaty',
    channel: 'ota',
    travelers: 2,
    checkIn: '2024-07-01',
    nights: 5,
    price: { amount: '1234.50', currency: 'CNY' },
  },
  { occurredAt: '2024-05-01T09:00:00Z' },
);

function codeOf(value: Uint8Array | null): string {
  const result = validateRecord(value, context);
  return result.ok ? 'accepted' : result.rejection.code;
}

describe('validateRecord', () => {
  it('accepts the example of docs/contract §1 and each built event type', () => {
    const result = validateRecord(bytes(arrival), context);
    expect(result).toEqual({
      ok: true,
      event: expect.objectContaining({
        eventId: arrival.eventId,
        type: 'ArrivalRecorded',
        version: 1,
        producer: 'border-service',
        data: arrival.data,
      }),
    });
    expect(codeOf(bytes(booking))).toBe('accepted');
    expect(
      codeOf(bytes(buildEvent.bookingCancelled({ bookingId: 'b-1' }, { occurredAt: '2024-05-02T00:00:00Z' }))),
    ).toBe('accepted');
    expect(
      codeOf(
        bytes(
          buildEvent.mediaViewsReported(
            { platform: 'douyin', campaign: 'visit-kz', market: 'CN', views: 0 },
            { occurredAt: '2024-05-02T00:00:00Z' },
          ),
        ),
      ),
    ).toBe('accepted');
  });

  it('gives the same content hash whatever the key order, and another for other content', () => {
    const reordered =
      `{"data":${JSON.stringify(arrival.data)},"producer":"border-service",` +
      `"occurredAt":"2024-03-28T10:15:00+05:00","version":1,"type":"ArrivalRecorded",` +
      `"eventId":"${arrival.eventId.toUpperCase()}"}`;
    const a = validateRecord(bytes(arrival), context);
    const b = validateRecord(bytes(reordered), context);
    const c = validateRecord(bytes({ ...arrival, data: { ...arrival.data, travelers: 4 } }), context);
    if (!a.ok || !b.ok || !c.ok) throw new Error('expected three accepted records');
    expect(b.event.eventId).toBe(arrival.eventId);
    expect(b.event.contentHash).toBe(a.event.contentHash);
    expect(c.event.contentHash).not.toBe(a.event.contentHash);
  });

  it.each([
    ['an empty value', null, 'malformed_json'],
    ['text that is not JSON', bytes('{"eventId": '), 'malformed_json'],
    ['invalid UTF-8', Buffer.from([0x7b, 0xff, 0xfe, 0x7d]), 'malformed_json'],
    ['a JSON array', bytes([arrival]), 'malformed_json'],
    ['a value over 64 KiB', bytes({ ...arrival, producer: 'x'.repeat(70_000) }), 'too_large'],
    ['a missing eventId', bytes({ ...arrival, eventId: undefined }), 'schema'],
    ['an occurredAt without offset', bytes({ ...arrival, occurredAt: '2024-03-28T10:15:00' }), 'schema'],
    ['a producer of 65 chars', bytes({ ...arrival, producer: 'p'.repeat(65) }), 'schema'],
    ['an unknown type', bytes({ ...arrival, type: 'HotelReviewed' }), 'unknown_type'],
    ['an unknown version', bytes({ ...arrival, version: 2 }), 'unknown_version'],
    ['travelers out of range', bytes({ ...arrival, data: { ...arrival.data, travelers: 0 } }), 'schema'],
    ['a lower-case country', bytes({ ...arrival, data: { ...arrival.data, nationality: 'cn' } }), 'schema'],
    ['an unknown field in data', bytes({ ...arrival, data: { ...arrival.data, vip: true } }), 'schema'],
    [
      'a price with 3 decimals',
      bytes({ ...booking, data: { ...booking.data, price: { amount: '1.005', currency: 'USD' } } }),
      'schema',
    ],
    [
      'a currency without a rate',
      bytes({ ...booking, data: { ...booking.data, price: { amount: '10', currency: 'JPY' } } }),
      'unknown_currency',
    ],
    [
      'an event 25 h ahead',
      bytes({ ...arrival, occurredAt: new Date(NOW + 25 * 3600_000).toISOString() }),
      'future_event',
    ],
  ])('rejects %s', (_, value, code) => {
    expect(codeOf(value)).toBe(code);
  });

  it('accepts an event 23 h ahead of the wall clock', () => {
    expect(codeOf(bytes({ ...arrival, occurredAt: new Date(NOW + 23 * 3600_000).toISOString() }))).toBe('accepted');
  });

  // Everything PostgreSQL would refuse is a `schema` rejection with its path (bounds of 2026-11-30).
  const cancel = buildEvent.bookingCancelled(
    { bookingId: 'b-1', reason: 'changed plans' },
    { occurredAt: '2024-05-02T00:00:00Z' },
  );
  const views = buildEvent.mediaViewsReported(
    { platform: 'douyin', campaign: 'visit-kz', market: 'CN', views: 1 },
    { occurredAt: '2024-05-02T00:00:00Z' },
  );
  it.each([
    ['U+0000 in the producer', bytes({ ...arrival, producer: 'border\u0000service' }), /^producer: contains U\+0000$/],
    [
      'U+0000 in a bookingId',
      bytes({ ...cancel, data: { ...cancel.data, bookingId: 'b\u0000' } }),
      /^data\.bookingId: contains U\+0000$/,
    ],
    [
      'a lone surrogate in a reason',
      bytes({ ...cancel, data: { ...cancel.data, reason: 'a\ud800b' } }),
      /^data\.reason: contains a lone surrogate/,
    ],
    ['a lone low surrogate', bytes({ ...arrival, producer: '\udc00' }), /^producer: contains a lone surrogate/],
    [
      'an unknown key with U+0000',
      bytes({ ...arrival, data: { ...arrival.data, ['v\u0000ip']: 1 } }),
      /^data\.v\\u0000ip: the key contains U\+0000$/,
    ],
    ['occurredAt in year 0000', bytes({ ...arrival, occurredAt: '0000-06-01T00:00:00Z' }), /^occurredAt: /],
    [
      'occurredAt in year 0099',
      bytes({ ...cancel, occurredAt: '0099-06-01T00:00:00Z' }),
      /^occurredAt: expected a date from 1970-01-01 on/,
    ],
    ['occurredAt in 1969', bytes({ ...arrival, occurredAt: '1969-12-31T23:59:59Z' }), /^occurredAt: /],
    ['an offset of +16:00', bytes({ ...arrival, occurredAt: '2024-03-28T10:15:00+16:00' }), /^occurredAt: /],
    ['an offset of -16:00', bytes({ ...arrival, occurredAt: '2024-03-28T10:15:00-16:00' }), /^occurredAt: /],
    ['views above 1,000,000,000', bytes({ ...views, data: { ...views.data, views: 1_000_000_001 } }), /^data\.views: /],
    [
      'a price above 100,000,000.00',
      bytes({ ...booking, data: { ...booking.data, price: { amount: '100000000.01', currency: 'USD' } } }),
      /^data\.price\.amount: /,
    ],
    [
      'a price of 15 digits',
      bytes({ ...booking, data: { ...booking.data, price: { amount: '999999999999999.99', currency: 'USD' } } }),
      /^data\.price\.amount: /,
    ],
  ])('rejects %s as schema, with the path', (_, value, detail) => {
    const result = validateRecord(value, context);
    expect(result.ok ? 'accepted' : result.rejection.code).toBe('schema');
    if (!result.ok) expect(result.rejection.detail).toMatch(detail);
  });

  it('accepts the bounds themselves and well-formed pairs', () => {
    expect(codeOf(bytes({ ...views, data: { ...views.data, views: 1_000_000_000 } }))).toBe('accepted');
    expect(
      codeOf(bytes({ ...booking, data: { ...booking.data, price: { amount: '100000000.00', currency: 'USD' } } })),
    ).toBe('accepted');
    expect(
      codeOf(bytes({ ...booking, data: { ...booking.data, price: { amount: '99999999.99', currency: 'USD' } } })),
    ).toBe('accepted');
    expect(codeOf(bytes({ ...arrival, occurredAt: '1970-01-01T00:00:00Z' }))).toBe('accepted');
    expect(codeOf(bytes({ ...arrival, occurredAt: '2024-03-28T10:15:00+15:59' }))).toBe('accepted');
    expect(codeOf(bytes({ ...arrival, occurredAt: '2024-03-28T10:15:00-15:59' }))).toBe('accepted');
    // An emoji written as an escaped surrogate pair, and a literal backslash before "u0000".
    expect(
      codeOf(
        bytes(
          '{"eventId":"0b9d6c2e-4f6a-4a8e-9c1e-2f1d3b6a7c10","type":"ArrivalRecorded","version":1,' +
            '"occurredAt":"2024-03-28T10:15:00+05:00","producer":"p\\ud83d\\ude00 ' +
            '\\\\u0000","data":{"nationality":"CN","port":"ala","purpose":"tourism","travelers":1}}',
        ),
      ),
    ).toBe('accepted');
  });

  it('writes rejection details with no control character and no lone surrogate', () => {
    const result = validateRecord(
      bytes({ ...arrival, data: { ...arrival.data, ['a\u0001\u0000\ud800']: 1 }, producer: 'ok' }),
      context,
    );
    if (result.ok) throw new Error('expected a rejection');
    expect(result.rejection.detail).toContain('\\u0000');
    expect(result.rejection.detail.isWellFormed()).toBe(true);
    expect(result.rejection.detail).not.toMatch(/[\u0000-\u001f]/);
    const unknownKey = validateRecord(bytes({ ...arrival, data: { ...arrival.data, ['z\u0007']: 1 } }), context);
    if (unknownKey.ok) throw new Error('expected a rejection');
    expect(unknownKey.rejection.detail).toContain('Unrecognized key: "z\\u0007"');
  });

  it('names the failing paths of a schema rejection', () => {
    const result = validateRecord(bytes({ ...arrival, data: { ...arrival.data, travelers: 0, port: 'ALA' } }), context);
    expect(result.ok).toBe(false);
    if (!result.ok)
      expect(result.rejection.detail).toMatch(/data\.port: .*; data\.travelers: |data\.travelers: .*; data\.port: /);
  });
});

describe('EventRegistry upcasting', () => {
  const v1 = z.strictObject({ name: z.string() });
  const v2 = z.strictObject({ firstName: z.string(), lastName: z.string() });
  const registry = new EventRegistry([
    {
      type: 'Renamed',
      topic: 'media',
      keyField: 'firstName',
      versions: [v1, v2],
      upcasters: [
        (d) => {
          const [firstName = '', lastName = ''] = String(d.name).split(' ');
          return { firstName, lastName };
        },
      ],
    },
  ]);

  it('validates each version against its own schema and reads old versions as the current one', () => {
    const old = {
      eventId: arrival.eventId,
      type: 'Renamed',
      version: 1,
      occurredAt: '2024-01-01T00:00:00Z',
      producer: 'p',
      data: { name: 'Ada Lovelace' },
    };
    const result = validateRecord(bytes(old), { ...context, registry });
    if (!result.ok) throw new Error(result.rejection.detail);
    expect(result.event.data).toEqual({ name: 'Ada Lovelace' });
    const read = registry.upcast('Renamed', 1, result.event.data);
    expect(read).toEqual({ firstName: 'Ada', lastName: 'Lovelace' });
    expect(v2.parse(read)).toEqual(read);
    // The stored payload keeps its original form.
    expect(result.event.data).toEqual({ name: 'Ada Lovelace' });
    expect(registry.upcast('Renamed', 2, read)).toBe(read);
    expect(codeOf.call(null, bytes({ ...old, version: 3 }))).toBe('unknown_type');
    const v3 = validateRecord(bytes({ ...old, version: 3 }), { ...context, registry });
    expect(v3.ok ? 'accepted' : v3.rejection.code).toBe('unknown_version');
  });

  it('refuses a definition whose upcasters do not bridge every version', () => {
    expect(
      () => new EventRegistry([{ type: 'X', topic: 'media', keyField: 'a', versions: [v1, v2], upcasters: [] }]),
    ).toThrow(/need 1 upcasters/);
  });
});
