import { z } from 'zod';
import { buildEvent } from './builders';
import { EventRegistry } from './registry';
import { validateRecord, type ValidationContext } from './validate-record';

const NOW = Date.parse('2024-06-01T12:00:00Z');
const context: ValidationContext = { nowMs: NOW, hasRate: (c) => ['USD', 'CNY', 'KZT', 'EUR', 'RUB'].includes(c) };
const bytes = (value: unknown): Buffer => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value));

const arrival = buildEvent.arrivalRecorded(
  { nationality: 'CN', port: 'ala-airport', purpose: 'tourism', travelers: 3, destination: 'almaty' },
  { eventId: '0b9d6c2e-4f6a-4a8e-9c1e-2f1d3b6a7c10', occurredAt: '2024-03-28T10:15:00+05:00', producer: 'border-service' },
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
  it('accepts the example of PRODUCT.md §1 and each built event type', () => {
    const result = validateRecord(bytes(arrival), context);
    expect(result).toEqual({
      ok: true,
      event: expect.objectContaining({ eventId: arrival.eventId, type: 'ArrivalRecorded', version: 1, producer: 'border-service', data: arrival.data }),
    });
    expect(codeOf(bytes(booking))).toBe('accepted');
    expect(codeOf(bytes(buildEvent.bookingCancelled({ bookingId: 'b-1' }, { occurredAt: '2024-05-02T00:00:00Z' })))).toBe('accepted');
    expect(codeOf(bytes(buildEvent.mediaViewsReported({ platform: 'douyin', campaign: 'visit-kz', market: 'CN', views: 0 }, { occurredAt: '2024-05-02T00:00:00Z' })))).toBe('accepted');
  });

  it('gives the same content hash whatever the key order, and another for other content', () => {
    const reordered = `{"data":${JSON.stringify(arrival.data)},"producer":"border-service","occurredAt":"2024-03-28T10:15:00+05:00","version":1,"type":"ArrivalRecorded","eventId":"${arrival.eventId.toUpperCase()}"}`;
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
    ['a price with 3 decimals', bytes({ ...booking, data: { ...booking.data, price: { amount: '1.005', currency: 'USD' } } }), 'schema'],
    ['a currency without a rate', bytes({ ...booking, data: { ...booking.data, price: { amount: '10', currency: 'JPY' } } }), 'unknown_currency'],
    ['an event 25 h ahead', bytes({ ...arrival, occurredAt: new Date(NOW + 25 * 3600_000).toISOString() }), 'future_event'],
  ])('rejects %s', (_, value, code) => {
    expect(codeOf(value)).toBe(code);
  });

  it('accepts an event 23 h ahead of the wall clock', () => {
    expect(codeOf(bytes({ ...arrival, occurredAt: new Date(NOW + 23 * 3600_000).toISOString() }))).toBe('accepted');
  });

  it('names the failing paths of a schema rejection', () => {
    const result = validateRecord(bytes({ ...arrival, data: { ...arrival.data, travelers: 0, port: 'ALA' } }), context);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.rejection.detail).toMatch(/data\.port: .*; data\.travelers: |data\.travelers: .*; data\.port: /);
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
      upcasters: [(d) => {
        const [firstName = '', lastName = ''] = String(d.name).split(' ');
        return { firstName, lastName };
      }],
    },
  ]);

  it('validates each version against its own schema and reads old versions as the current one', () => {
    const old = { eventId: arrival.eventId, type: 'Renamed', version: 1, occurredAt: '2024-01-01T00:00:00Z', producer: 'p', data: { name: 'Ada Lovelace' } };
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
    expect(() => new EventRegistry([{ type: 'X', topic: 'media', keyField: 'a', versions: [v1, v2], upcasters: [] }])).toThrow(/need 1 upcasters/);
  });
});
