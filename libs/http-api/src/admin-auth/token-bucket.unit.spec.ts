import { TokenBuckets } from './token-bucket';

describe('TokenBuckets', () => {
  it('allows a burst of perMinute, then says how long to wait', () => {
    const buckets = new TokenBuckets(3);
    expect([0, 0, 0].map(() => buckets.take('a', 1_000))).toEqual([0, 0, 0]);
    // One request every 20 s: the next one in 20 s.
    expect(buckets.take('a', 1_000)).toBe(20);
    expect(buckets.take('a', 11_000)).toBe(10);
    expect(buckets.take('a', 21_000)).toBe(0);
    expect(buckets.take('a', 21_000)).toBe(20);
  });

  it('keeps one bucket per key', () => {
    const buckets = new TokenBuckets(1);
    expect(buckets.take('a', 0)).toBe(0);
    expect(buckets.take('a', 0)).toBe(60);
    expect(buckets.take('b', 0)).toBe(0);
  });

  it('refills no further than perMinute', () => {
    const buckets = new TokenBuckets(2);
    buckets.take('a', 0);
    expect([buckets.take('a', 3_600_000), buckets.take('a', 3_600_000), buckets.take('a', 3_600_000)]).toEqual([
      0, 0, 30,
    ]);
  });

  it('never limits with 0 per minute', () => {
    const buckets = new TokenBuckets(0);
    expect(Array.from({ length: 1_000 }, () => buckets.take('a', 0)).every((wait) => wait === 0)).toBe(true);
    expect(buckets.size).toBe(0);
  });

  it('forgets full buckets when it holds too many', () => {
    const buckets = new TokenBuckets(60);
    for (let i = 0; i < 10_000; i++) buckets.take(`ip:${i}`, 0);
    expect(buckets.size).toBe(10_000);
    // A minute later every bucket is full again: the next new key sweeps them.
    buckets.take('late', 60_000);
    expect(buckets.size).toBe(1);
  });
});
