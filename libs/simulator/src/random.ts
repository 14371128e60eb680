// Held in module scope: inside a vm context (Jest) every global lookup of `Math` is slow, and these
// run millions of times.
const { floor, imul } = Math;

/** mulberry32: a tiny deterministic PRNG, so the same seed gives the same traffic again. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = imul(t ^ (t >>> 15), t | 1);
    t ^= t + imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Choices with their relative weights. */
export type Weighted<T> = ReadonlyArray<readonly [T, number]>;

export type Random = {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max], both included. */
  int(min: number, max: number): number;
  chance(p: number): boolean;
  pick<T>(items: readonly T[]): T;
  weighted<T>(choices: Weighted<T>): T;
};

export function createRandom(seed: number): Random {
  const next = mulberry32(seed);
  const int = (min: number, max: number) => min + floor(next() * (max - min + 1));
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: (items) => {
      if (items.length === 0) throw new Error('pick from nothing');
      return items[int(0, items.length - 1)] as (typeof items)[number];
    },
    weighted: (choices) => {
      let total = 0;
      for (const [, w] of choices) total += w;
      let x = next() * total;
      for (const [value, w] of choices) {
        x -= w;
        if (x < 0) return value;
      }
      const last = choices[choices.length - 1];
      if (!last) throw new Error('pick from nothing');
      return last[0];
    },
  };
}

/**
 * A seed of its own for one part of a run (FNV-1a of the part's name, mixed with the seed), so
 * changing how one part draws never shifts the draws of another.
 */
export function deriveSeed(seed: number, part: string): number {
  let h = 0x811c9dc5 ^ (seed >>> 0);
  for (let i = 0; i < part.length; i++) h = imul(h ^ part.charCodeAt(i), 0x01000193);
  h = imul(h ^ (h >>> 16), 0x45d9f3b);
  return (h ^ (h >>> 16)) >>> 0;
}
