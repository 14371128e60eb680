import { z } from 'zod';
import { apportion } from './apportion';
import { createRandom, deriveSeed, mulberry32 } from './random';
import { spread } from './spread';
import { uuidSource } from './uuid';

describe('the PRNG and what is drawn from it', () => {
  it('mulberry32 gives the same sequence for a seed and another for another seed', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const first = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(first);
    expect(first[0]).toBe(0.6011037519201636);
    expect(mulberry32(43)()).not.toBe(first[0]);
    expect(first.every((x) => x >= 0 && x < 1)).toBe(true);
  });

  it('derives distinct seeds per part, the same every time', () => {
    expect(deriveSeed(1, 'arrivals')).toBe(deriveSeed(1, 'arrivals'));
    expect(new Set([deriveSeed(1, 'arrivals'), deriveSeed(1, 'bookings'), deriveSeed(2, 'arrivals')]).size).toBe(3);
  });

  it('picks by weight', () => {
    const random = createRandom(7);
    const counts = { a: 0, b: 0, c: 0 };
    for (let i = 0; i < 20_000; i++)
      counts[
        random.weighted([
          ['a', 6],
          ['b', 3],
          ['c', 1],
        ] as const)
      ] += 1;
    expect(counts.a / 20_000).toBeCloseTo(0.6, 1);
    expect(counts.c / 20_000).toBeCloseTo(0.1, 1);
    expect(random.int(3, 3)).toBe(3);
  });

  it('draws valid version-4 UUIDs that never repeat within a run', () => {
    const next = uuidSource(createRandom(1));
    const ids = Array.from({ length: 200_000 }, next);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.slice(0, 100).every((id) => z.uuid({ version: 'v4' }).safeParse(id).success)).toBe(true);
    expect(uuidSource(createRandom(1))()).toBe(ids[0]);
    expect(uuidSource(createRandom(2))()).not.toBe(ids[0]);
  });
});

describe('apportion (largest remainder)', () => {
  it('splits a total exactly in proportion, the remainders going to the largest fractions', () => {
    expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(apportion(655_000, [3, 2, 2]).reduce((a, b) => a + b)).toBe(655_000);
    expect(apportion(7, [0.5, 0.25, 0.25])).toEqual([3, 2, 2]); // 3.5, 1.75, 1.75: the two .75 first
    expect(apportion(0, [1, 2])).toEqual([0, 0]);
    expect(() => apportion(5, [0, 0])).toThrow(RangeError);
  });

  it('adds up whatever the weights', () => {
    const random = createRandom(3);
    for (let i = 0; i < 200; i++) {
      const weights = Array.from({ length: random.int(1, 400) }, () => random.next());
      const total = random.int(0, 1_000_000);
      expect(apportion(total, weights).reduce((a, b) => a + b, 0)).toBe(total);
    }
  });
});

describe('spread (stochastic universal sampling)', () => {
  it('places exactly count, each slot the floor or ceiling of its share, none on a zero weight', () => {
    const random = createRandom(5);
    for (let i = 0; i < 200; i++) {
      const weights = Array.from({ length: random.int(1, 50) }, () => (random.chance(0.2) ? 0 : random.next()));
      if (weights.every((w) => w === 0)) continue;
      const count = random.int(0, 500);
      const parts = spread(random, count, weights);
      const total = weights.reduce((a, b) => a + b, 0);
      expect(parts.reduce((a, b) => a + b, 0)).toBe(count);
      parts.forEach((p, k) => {
        const share = (count * (weights[k] as number)) / total;
        expect(p).toBeGreaterThanOrEqual(Math.floor(share - 1e-9));
        expect(p).toBeLessThanOrEqual(Math.ceil(share + 1e-9));
      });
    }
  });
});
