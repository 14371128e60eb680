import { FORESEEN_REJECTION_CODES, validateRecord } from '@caravan/contract';
import { hasDefaultRate } from './defaults';
import { summarize } from './records';
import { TrafficSimulator } from './traffic-simulator';
import type { SimRecord, TrafficMix } from './types';

const ZONE = 'Asia/Almaty';
const START = Date.parse('2025-06-01T08:00:00+05:00');

/** `n` records one to nine seconds apart, then whatever is still held back. */
function run(seed: number, n: number, mix: TrafficMix): SimRecord[] {
  const simulator = new TrafficSimulator({ seed, timeZone: ZONE, mix });
  let at = START;
  const records: SimRecord[] = [];
  for (let i = 0; i < n; i++) {
    at += 1000 * (1 + (i % 9));
    records.push(simulator.next(new Date(at)));
  }
  return [...records, ...simulator.drain()];
}

const json = (r: SimRecord) => JSON.parse(r.value.toString('utf8'));

describe('TrafficSimulator', () => {
  const mix: TrafficMix = { badShare: 0.05, duplicateShare: 0.03 };
  const records = run(11, 5_000, mix);

  it('is deterministic: the same seed gives the same bytes, another seed others', () => {
    const again = run(11, 5_000, mix);
    expect(again.length).toBe(records.length);
    expect(
      again.findIndex((r, i) => !r.value.equals((records[i] as SimRecord).value) || r.key !== records[i]?.key),
    ).toBe(-1);
    expect(run(12, 50, mix).map((r) => r.value.toString())).not.toEqual(
      records.slice(0, 50).map((r) => r.value.toString()),
    );
  });

  it('produces every kind of invalid record, in turn, and about the shares asked for', () => {
    const s = summarize(records);
    expect(Object.keys(s.rejectedByCode).sort()).toEqual([...FORESEEN_REJECTION_CODES].sort());
    const counts = Object.values(s.rejectedByCode) as number[];
    expect(Math.max(...counts) - Math.min(...counts)).toBeLessThanOrEqual(1);
    expect(s.rejected / s.records).toBeGreaterThan(0.04);
    expect(s.rejected / s.records).toBeLessThan(0.06);
    expect(s.duplicate / s.records).toBeGreaterThan(0.02);
    expect(s.duplicate / s.records).toBeLessThan(0.04);
  });

  it('expects of each record what validateRecord decides, and carries the event of each accepted one', () => {
    const context = { nowMs: Date.now(), hasRate: hasDefaultRate };
    const wrong = records.flatMap((r) => {
      if (r.expected.outcome === 'duplicate' || (r.expected.outcome === 'rejected' && r.expected.code === 'conflict'))
        return [];
      const result = validateRecord(r.value, context);
      const decided = result.ok ? 'accepted' : result.rejection.code;
      const expected = r.expected.outcome === 'rejected' ? r.expected.code : r.expected.outcome;
      const eventMatches = r.expected.outcome !== 'accepted' || JSON.stringify(r.event) === r.value.toString('utf8');
      return decided === expected && eventMatches && (r.expected.outcome === 'accepted') === (r.event !== undefined)
        ? []
        : [`${expected} → ${decided}`];
    });
    expect(wrong).toEqual([]);
    expect(
      records.find((r) => r.expected.outcome === 'rejected' && r.expected.code === 'too_large')?.value.length,
    ).toBeGreaterThan(64 * 1024);
  });

  it('re-sends earlier accepted records byte for byte (duplicates) or changed (conflicts), on their topic and key', () => {
    const accepted = new Map<string, SimRecord>();
    const wrong: string[] = [];
    for (const r of records) {
      if (r.expected.outcome === 'accepted') {
        if (accepted.has(json(r).eventId)) wrong.push(`eventId ${json(r).eventId} twice`);
        accepted.set(json(r).eventId, r);
      } else if (r.expected.outcome === 'duplicate' || r.expected.code === 'conflict') {
        const original = accepted.get(json(r).eventId);
        if (!original || original.role !== r.role || original.key !== r.key) wrong.push('copy of nothing earlier');
        else if (r.value.equals(original.value) !== (r.expected.outcome === 'duplicate')) wrong.push('bytes');
      }
    }
    expect(wrong).toEqual([]);
  });

  it('sends some cancellations before their booking, whose event time is still earlier', () => {
    const created = new Map<string, { index: number; at: number }>();
    records.forEach((r, index) => {
      if (r.expected.outcome === 'accepted' && r.event?.type === 'BookingCreated')
        created.set(r.event.data.bookingId, { index, at: Date.parse(r.event.occurredAt) });
    });
    const cancellations = records.flatMap((r, index) =>
      r.expected.outcome === 'accepted' && r.event?.type === 'BookingCancelled' ? [{ r, index, event: r.event }] : [],
    );
    const early = cancellations.filter((c) => (created.get(c.event.data.bookingId)?.index ?? -1) > c.index);
    expect(early.length).toBeGreaterThan(3);
    expect(
      cancellations.every(
        (c) => (created.get(c.event.data.bookingId)?.at ?? Infinity) < Date.parse(c.event.occurredAt),
      ),
    ).toBe(true);
    expect(cancellations.every((c) => c.r.key === c.event.data.bookingId)).toBe(true);
    const bookings = [...created].length;
    expect(cancellations.length / bookings).toBeGreaterThan(0.04);
    expect(cancellations.length / bookings).toBeLessThan(0.1);
  });

  it('writes occurredAt at `at` with the zone offset, and looks like Caravan’s traffic: Chinese first, Almaty first', () => {
    const simulator = new TrafficSimulator({ seed: 3, timeZone: ZONE, mix: { badShare: 0, duplicateShare: 0 } });
    const first = simulator.next(new Date('2023-07-01T12:00:00Z'));
    expect(first.event?.occurredAt).toBe('2023-07-01T18:00:00+06:00');
    const events = records.flatMap((r) => (r.event ? [r.event] : []));
    const arrivals = events.flatMap((e) => (e.type === 'ArrivalRecorded' ? [e.data] : []));
    const travellers = (f: (d: (typeof arrivals)[number]) => boolean) =>
      arrivals.filter(f).reduce((a, d) => a + d.travelers, 0);
    const cnShare = travellers((d) => d.nationality === 'CN') / travellers(() => true);
    expect(cnShare).toBeGreaterThan(0.58);
    expect(cnShare).toBeLessThan(0.72);
    const destinations = new Map<string, number>();
    for (const e of events)
      if (e.type === 'BookingCreated')
        destinations.set(e.data.destination, (destinations.get(e.data.destination) ?? 0) + 1);
    expect([...destinations].sort((a, b) => b[1] - a[1])[0]?.[0]).toBe('almaty');
    expect(new Set(events.map((e) => e.type))).toEqual(
      new Set(['ArrivalRecorded', 'BookingCreated', 'BookingCancelled', 'MediaViewsReported']),
    );
  });

  it('refuses a mix it cannot honour', () => {
    const make = (m: TrafficMix) => () => new TrafficSimulator({ seed: 1, timeZone: ZONE, mix: m });
    expect(make({ badShare: 1, duplicateShare: 0 })).toThrow(RangeError);
    expect(make({ badShare: 0.6, duplicateShare: 0.5 })).toThrow(RangeError);
    expect(make({ badShare: 0.1, duplicateShare: 0, badKinds: [] })).toThrow(RangeError);
    expect(make({ badShare: 0.1, duplicateShare: 0, badKinds: ['schema', 'too_large'] })).not.toThrow();
  });

  it('spreads invalid records over the kinds asked for only', () => {
    const s = summarize(
      run(5, 2_000, { badShare: 0.1, duplicateShare: 0, badKinds: ['future_event', 'unknown_currency'] }),
    );
    expect(Object.keys(s.rejectedByCode).sort()).toEqual(['future_event', 'unknown_currency']);
  });
});
