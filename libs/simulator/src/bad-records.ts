import { arrivalBatch } from './arrivals';
import { bookingDraft } from './bookings';
import type { EventFactory } from './event-factory';
import type { Random } from './random';
import { acceptedRecord } from './records';
import type { BadKind, SimEvent, SimRecord } from './types';

const FAR_FUTURE_MS = Date.parse('2099-01-01T00:00:00Z');

const rejected = (base: SimRecord, value: Buffer | string, code: BadKind): SimRecord => ({
  role: base.role,
  key: base.key,
  value: typeof value === 'string' ? Buffer.from(value) : value,
  expected: { outcome: 'rejected', code },
});

/**
 * An invalid record at `atMs`, crafted so the pipeline rejects it with exactly `kind` (docs/contract
 * §2): cut JSON, over 64 KiB, travelers −1, an unknown type or version, a price in gold (XAU),
 * an occurredAt in 2099. A conflict needs an earlier accepted record: see conflictOf.
 */
export function badRecord(
  kind: Exclude<BadKind, 'conflict'>,
  random: Random,
  factory: EventFactory,
  atMs: number,
): SimRecord {
  if (kind === 'unknown_currency') {
    const { data } = bookingDraft(random, 'CN', new Date(atMs).toISOString().slice(0, 10), factory.uuid().slice(-12));
    const base = acceptedRecord(factory.booking({ ...data, price: { ...data.price, currency: 'XAU' } }, atMs));
    return rejected(base, base.value, kind);
  }
  const event = factory.arrival(arrivalBatch(random, 'CN').data, atMs);
  const base = acceptedRecord(event);
  const text = base.value.toString('utf8');
  switch (kind) {
    case 'malformed_json':
      return rejected(base, text.slice(0, random.int(1, text.length - 1)), kind);
    case 'too_large':
      return rejected(
        base,
        JSON.stringify({ ...event, data: { ...event.data, manifest: 'passenger;'.repeat(7_000) } }),
        kind,
      );
    case 'schema':
      return rejected(base, JSON.stringify({ ...event, data: { ...event.data, travelers: -1 } }), kind);
    case 'unknown_type':
      return rejected(base, JSON.stringify({ ...event, type: 'VisaIssued' }), kind);
    case 'unknown_version':
      return rejected(base, JSON.stringify({ ...event, version: 9 }), kind);
    case 'future_event': {
      const future = FAR_FUTURE_MS + random.int(0, 364 * 86_400) * 1000;
      return rejected(base, JSON.stringify({ ...event, occurredAt: new Date(future).toISOString() }), kind);
    }
  }
}

/** An earlier accepted record's eventId sent again with other content (another producer), same topic and key. */
export function conflictOf(original: SimRecord & { event: SimEvent }): SimRecord {
  const changed = { ...original.event, producer: `${original.event.producer.slice(0, 50)}-resent` };
  return rejected(original, JSON.stringify(changed), 'conflict');
}

/** An exact redelivery of an earlier accepted record. */
export function duplicateOf(original: SimRecord): SimRecord {
  return {
    role: original.role,
    key: original.key,
    value: Buffer.from(original.value),
    expected: { outcome: 'duplicate' },
  };
}
