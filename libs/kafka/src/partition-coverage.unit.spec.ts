import { PartitionCoverage } from './partition-coverage';

describe('PartitionCoverage', () => {
  it('starts a batch at the durable offset when only filtered records (a transaction marker) lie between', () => {
    const coverage = new PartitionCoverage();
    coverage.durableAt('t', 0, 10n);
    // A fetch that held only the marker at 10: kafkajs moved past it without handing it in.
    expect(coverage.skippedFiltered('t', 0, '10', '10')).toEqual({ fromOffset: '10', nextOffset: '11' });
    expect(coverage.fromOffset('t', 0, '11')).toBe('10');
    // Two such runs in a row (a marker, then an aborted transaction and its marker).
    coverage.durableAt('t', 1, 5n);
    coverage.skippedFiltered('t', 1, '5', '5');
    // The second run accounts from the durable offset on: [5, 10).
    expect(coverage.skippedFiltered('t', 1, '6', '9')).toEqual({ fromOffset: '5', nextOffset: '10' });
    expect(coverage.fromOffset('t', 1, '10')).toBe('5');
  });

  it('leaves anything else a gap: a filtered run that does not start where expected, or an unknown partition', () => {
    const coverage = new PartitionCoverage();
    coverage.durableAt('t', 0, 10n);
    expect(coverage.skippedFiltered('t', 0, '12', '12')).toBeUndefined();
    expect(coverage.fromOffset('t', 0, '13')).toBe('13');
    coverage.skippedFiltered('t', 0, null, '20');
    expect(coverage.fromOffset('t', 0, '21')).toBe('21');
    expect(coverage.fromOffset('t', 9, '4')).toBe('4');
    // A redelivery before the durable offset starts where it was fetched.
    coverage.durableAt('t', 2, 10n);
    expect(coverage.fromOffset('t', 2, '3')).toBe('3');
  });
});
