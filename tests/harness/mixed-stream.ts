import { buildEvent, type RejectionCode, type TopicNames } from '@caravan/contract';
import type { Kafka } from 'kafkajs';
import type { OutgoingEvent } from '@caravan/kafka';
import { EventProducer } from '@caravan/kafka';
import { mulberry32 } from '@caravan/simulator';

/** The simulator's deterministic PRNG (mulberry32), so a failing stream can be produced again. */
export const prng = mulberry32;

export type StreamRecord = { role: 'bookings' | 'arrivals' | 'media'; key: string; value: Buffer };
export type MixedStream = {
  records: StreamRecord[];
  acceptedIds: Set<string>;
  expected: {
    consumed: number;
    accepted: number;
    duplicate: number;
    rejected: number;
    rejectedByCode: Partial<Record<RejectionCode, number>>;
  };
};

const PORTS = ['ala-airport', 'nqz-airport', 'khorgos', 'dostyk-rail'];
const DESTINATIONS = ['almaty', 'astana', 'turkestan', 'shymkent'];

/**
 * `n` records of all types: mostly valid events, and about `dupShare` exact redeliveries,
 * `badShare` invalid records (every detectable kind) and a few conflicts, with the exact
 * outcome counts the pipeline must report.
 */
export function mixedStream(
  n: number,
  seed: number,
  options = { dupShare: 0.08, badShare: 0.06, conflictShare: 0.01 },
): MixedStream {
  const random = prng(seed);
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)] as T;
  const records: StreamRecord[] = [];
  const originals: Array<{ event: OutgoingEvent; record: StreamRecord }> = [];
  const reusable: number[] = [];
  const acceptedIds = new Set<string>();
  const expected: MixedStream['expected'] = { consumed: n, accepted: 0, duplicate: 0, rejected: 0, rejectedByCode: {} };
  const reject = (code: RejectionCode) => {
    expected.rejected += 1;
    expected.rejectedByCode[code] = (expected.rejectedByCode[code] ?? 0) + 1;
  };
  const toRecord = (event: OutgoingEvent): StreamRecord => {
    const { message } = EventProducer.toMessage(event, { bookings: 'bookings', arrivals: 'arrivals', media: 'media' });
    return { role: roleOf(event.type), key: String(message.key), value: Buffer.from(String(message.value)) };
  };
  const uuid = () => 'xxxxxxxx-xxxx-4xxx-8xxx-xxxxxxxxxxxx'.replace(/x/g, () => Math.floor(random() * 16).toString(16));
  const occurredAt = () => new Date(Date.UTC(2024, 0, 1) + Math.floor(random() * 365 * 86400_000)).toISOString();

  while (records.length < n) {
    const r = random();
    if (r < options.dupShare && reusable.length > 0) {
      const original = originals[reusable.splice(Math.floor(random() * reusable.length), 1)[0] as number];
      if (!original) continue;
      records.push({ ...original.record });
      expected.duplicate += 1;
    } else if (r < options.dupShare + options.conflictShare && reusable.length > 0) {
      const original = originals[reusable.splice(Math.floor(random() * reusable.length), 1)[0] as number];
      if (!original) continue;
      records.push(toRecord({ ...original.event, producer: `${original.event.producer}-changed` }));
      reject('conflict');
    } else if (r < options.dupShare + options.conflictShare + options.badShare) {
      const base = buildEvent.arrivalRecorded(
        { nationality: 'CN', port: pick(PORTS), purpose: 'tourism', travelers: 2 },
        { eventId: uuid(), occurredAt: occurredAt() },
      );
      const kind = pick([
        'malformed_json',
        'schema',
        'unknown_type',
        'unknown_version',
        'unknown_currency',
        'future_event',
        'too_large',
      ] as const);
      const value =
        kind === 'malformed_json'
          ? Buffer.from('{"eventId":')
          : kind === 'schema'
            ? Buffer.from(JSON.stringify({ ...base, data: { ...base.data, travelers: -1 } }))
            : kind === 'unknown_type'
              ? Buffer.from(JSON.stringify({ ...base, type: 'VisaIssued' }))
              : kind === 'unknown_version'
                ? Buffer.from(JSON.stringify({ ...base, version: 9 }))
                : kind === 'future_event'
                  ? Buffer.from(JSON.stringify({ ...base, occurredAt: '2099-01-01T00:00:00Z' }))
                  : kind === 'too_large'
                    ? Buffer.from(JSON.stringify({ ...base, producer: 'p'.repeat(70_000) }))
                    : Buffer.from(
                        JSON.stringify(
                          buildEvent.bookingCreated(
                            {
                              bookingId: uuid(),
                              market: 'CN',
                              destination: pick(DESTINATIONS),
                              channel: 'ota',
                              travelers: 1,
                              checkIn: '2024-09-01',
                              nights: 3,
                              price: { amount: '99.99', currency: 'XAU' },
                            },
                            { eventId: uuid(), occurredAt: occurredAt() },
                          ),
                        ),
                      );
      records.push({ role: kind === 'unknown_currency' ? 'bookings' : 'arrivals', key: pick(PORTS), value });
      reject(kind);
    } else {
      const event = validEvent(random, pick, uuid, occurredAt);
      const record = toRecord(event);
      originals.push({ event, record });
      reusable.push(originals.length - 1);
      records.push(record);
      acceptedIds.add(event.eventId);
      expected.accepted += 1;
    }
  }
  return { records, acceptedIds, expected };
}

function validEvent(
  random: () => number,
  pick: <T>(items: readonly T[]) => T,
  uuid: () => string,
  occurredAt: () => string,
): OutgoingEvent {
  const options = { eventId: uuid(), occurredAt: occurredAt(), producer: 'stream' };
  const r = random();
  if (r < 0.5) {
    return buildEvent.arrivalRecorded(
      {
        nationality: pick(['CN', 'CN', 'CN', 'RU', 'KZ', 'DE']),
        port: pick(PORTS),
        purpose: pick(['tourism', 'business', 'medical', 'transit', 'other'] as const),
        travelers: 1 + Math.floor(random() * 5),
        destination: pick(DESTINATIONS),
      },
      options,
    );
  }
  if (r < 0.8) {
    return buildEvent.bookingCreated(
      {
        bookingId: uuid(),
        market: pick(['CN', 'RU', 'DE']),
        destination: pick(DESTINATIONS),
        channel: pick(['tour_operator', 'ota', 'agency', 'direct'] as const),
        travelers: 1 + Math.floor(random() * 4),
        checkIn: '2024-10-01',
        nights: Math.floor(random() * 14),
        price: { amount: (random() * 5000).toFixed(2), currency: pick(['CNY', 'USD', 'KZT']) },
      },
      options,
    );
  }
  if (r < 0.9) return buildEvent.bookingCancelled({ bookingId: uuid() }, options);
  return buildEvent.mediaViewsReported(
    {
      platform: pick(['douyin', 'weibo', 'wechat']),
      campaign: pick(['visit-kz', 'silk-road']),
      market: 'CN',
      views: Math.floor(random() * 100_000),
    },
    options,
  );
}

function roleOf(type: string): StreamRecord['role'] {
  return type.startsWith('Booking') ? 'bookings' : type === 'ArrivalRecorded' ? 'arrivals' : 'media';
}

/** Produces a stream to the producer's topics, keys and bytes as generated. */
export async function produceStream(producer: EventProducer, records: StreamRecord[]): Promise<void> {
  await producer.sendToRoles(records);
}

/** Produces a stream to `topics` through a producer of its own, connected for it and closed after. */
export async function produceStreamOnce(kafka: Kafka, topics: TopicNames, records: StreamRecord[]): Promise<void> {
  const producer = new EventProducer(kafka, topics);
  await producer.connect();
  try {
    await produceStream(producer, records);
  } finally {
    await producer.disconnect();
  }
}
