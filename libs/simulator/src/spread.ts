import type { Random } from './random';

/**
 * Splits `count` over weighted slots at random but with little variance (stochastic universal
 * sampling): `count` equally spaced pointers from a random start over the cumulative weights, so
 * each slot gets the floor or the ceiling of its share, and the parts add up to `count` exactly.
 */
export function spread(random: Random, count: number, weights: readonly number[]): number[] {
  const total = weights.reduce((a, w) => a + w, 0);
  const parts = weights.map(() => 0);
  if (count === 0) return parts;
  if (!(total > 0)) throw new RangeError('spread needs a positive weight');
  const step = total / count;
  const start = random.next() * step;
  let cumulative = 0;
  let placed = 0;
  weights.forEach((w, i) => {
    cumulative += w;
    while (placed < count && start + placed * step < cumulative) {
      parts[i] = (parts[i] as number) + 1;
      placed += 1;
    }
  });
  // Rounding at the very end of the cumulative sum: the last pointers go to the last weighted slot.
  for (let i = weights.length - 1; placed < count && i >= 0; i--) {
    if ((weights[i] as number) > 0) {
      parts[i] = (parts[i] as number) + (count - placed);
      placed = count;
    }
  }
  return parts;
}
