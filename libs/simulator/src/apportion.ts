/**
 * Splits a non-negative integer total in proportion to weights, exactly: floors first, then one
 * more to the largest remainders (ties to the earlier), so the parts always add up to the total.
 */
export function apportion(total: number, weights: readonly number[]): number[] {
  if (!Number.isInteger(total) || total < 0) throw new RangeError(`apportion needs a whole total ≥ 0, got ${total}`);
  const sum = weights.reduce((a, w) => a + w, 0);
  if (weights.length === 0 || !(sum > 0)) {
    if (total === 0) return weights.map(() => 0);
    throw new RangeError('apportion needs a positive weight');
  }
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  let left = total - parts.reduce((a, p) => a + p, 0);
  const order = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (const [, i] of order) {
    if (left <= 0) break;
    parts[i] = (parts[i] as number) + 1;
    left -= 1;
  }
  // Floating-point floors can overshoot by one: taken back from the smallest remainders.
  for (const [, i] of [...order].reverse()) {
    if (left >= 0) break;
    if ((parts[i] as number) > 0) {
      parts[i] = (parts[i] as number) - 1;
      left += 1;
    }
  }
  return parts;
}
