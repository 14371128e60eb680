import type { ValidationResult, ValidEvent } from '@caravan/contract';
import { candidatesOf, decideOutcomes } from './classify';
import type { KafkaRecord } from '@caravan/kafka';

const record = (offset: number): KafkaRecord => ({
  topic: 't',
  partition: 0,
  offset: String(offset),
  key: null,
  value: null,
  timestamp: '0',
});
const event = (eventId: string, contentHash: string): ValidEvent => ({
  eventId,
  type: 'ArrivalRecorded',
  version: 1,
  occurredAt: '2024-01-01T00:00:00Z',
  occurredAtMs: 0,
  producer: 'p',
  data: {},
  contentHash,
});
const ok = (e: ValidEvent): ValidationResult => ({ ok: true, event: e });

describe('classifying a batch', () => {
  const results = [
    { record: record(0), result: ok(event('a', 'h1')) },
    { record: record(1), result: ok(event('a', 'h1')) },
    { record: record(2), result: ok(event('a', 'h2')) },
    { record: record(3), result: { ok: false, rejection: { code: 'schema', detail: 'x' } } as ValidationResult },
    { record: record(4), result: ok(event('b', 'h3')) },
    { record: record(5), result: ok(event('c', 'h4')) },
  ];

  it('offers the first record of each eventId to the store, with its offset', () => {
    expect(candidatesOf(results).map((c) => [c.eventId, c.source.offset])).toEqual([
      ['a', '0'],
      ['b', '4'],
      ['c', '5'],
    ]);
  });

  it('accepts what was appended once, counts equal content as duplicate and other content as conflict', () => {
    // a and b appended now; c was stored before with the same content.
    const outcomes = decideOutcomes(
      results,
      new Set(['a', 'b']),
      new Map([
        ['a', 'h1'],
        ['b', 'h3'],
        ['c', 'h4'],
      ]),
    );
    expect(outcomes.map((o) => (o.kind === 'rejected' ? o.rejection.code : o.kind))).toEqual([
      'accepted',
      'duplicate',
      'conflict',
      'schema',
      'accepted',
      'duplicate',
    ]);
  });

  it('rejects every record of an eventId stored before with other content', () => {
    const outcomes = decideOutcomes(
      results,
      new Set(['b', 'c']),
      new Map([
        ['a', 'h0'],
        ['b', 'h3'],
        ['c', 'h4'],
      ]),
    );
    expect(outcomes.map((o) => (o.kind === 'rejected' ? o.rejection.code : o.kind))).toEqual([
      'conflict',
      'conflict',
      'conflict',
      'schema',
      'accepted',
      'accepted',
    ]);
  });
});
