import type { Random } from './random';

export type UuidSource = () => string;

// Module scope: global lookups are slow inside a vm context (Jest), and these run per event.
const { floor, imul } = Math;
const SPAN_24 = 2 ** 24;
const MASK_24 = SPAN_24 - 1;

const hex = (random: Random, digits: number): string =>
  floor(random.next() * 16 ** digits)
    .toString(16)
    .padStart(digits, '0');

/** A 48-bit Feistel network: a bijection whatever its round function, so distinct inputs give distinct outputs. */
function permute48(n: number, keys: readonly number[]): number {
  let left = floor(n / SPAN_24) & MASK_24;
  let right = n % SPAN_24;
  for (const key of keys) {
    let f = imul(right ^ key, 0x5bd1e995);
    f ^= f >>> 15;
    [left, right] = [right, (left ^ f) & MASK_24];
  }
  return left * SPAN_24 + right;
}

/**
 * Version-4 UUIDs drawn from the PRNG. Their last 48 bits are a counter scrambled by a bijection,
 * so the eventIds of one run cannot collide (below 2^48 of them) yet look random.
 */
export function uuidSource(random: Random): UuidSource {
  const keys = [0, 1, 2, 3].map(() => floor(random.next() * 2 ** 32) | 0);
  let n = 0;
  return () => {
    const node = permute48(n, keys);
    n += 1;
    const variant = (8 + floor(random.next() * 4)).toString(16);
    return (
      `${hex(random, 8)}-${hex(random, 4)}-4${hex(random, 3)}-${variant}${hex(random, 3)}-` +
      `${node.toString(16).padStart(12, '0')}`
    );
  };
}
