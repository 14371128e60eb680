import fc from 'fast-check';
import { canonicalJson, sha256Hex } from './canonical-json';

/** The first definition, kept as the reference: stored content hashes were taken over its output. */
function reference(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(reference).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${reference(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

describe('canonicalJson', () => {
  it('sorts keys at every depth and leaves undefined members out', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: null, y: 'é' }], c: undefined }, A: true })).toBe(
      '{"A":true,"a":{"d":[3,{"y":"é","z":null}]},"b":1}',
    );
  });

  it('gives the text of the first definition for any JSON value (stored hashes stay valid)', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        expect(canonicalJson(value)).toBe(reference(value));
      }),
      { numRuns: 2_000 },
    );
  });

  it('hashes an event the way the store already holds it', () => {
    const event = {
      type: 'ArrivalRecorded',
      version: 1,
      occurredAt: '2024-03-28T10:15:00+05:00',
      producer: 'border-service',
      data: { travelers: 2, port: 'ala-airport', nationality: 'CN', purpose: 'tourism' },
    };
    expect(sha256Hex(canonicalJson(event))).toBe(sha256Hex(reference(event)));
    expect(sha256Hex('abc')).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
});
