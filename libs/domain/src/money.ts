const RATE_SCALE = 10n ** 12n;

/** A decimal string with at most `scale` fraction digits, as an integer of 10^-scale units. */
export function toScaled(decimal: string, scale: number): bigint {
  const match = /^(\d+)(?:\.(\d+))?$/.exec(decimal.trim());
  if (!match) throw new Error(`not a non-negative decimal: ${decimal}`);
  const fraction = (match[2] ?? '').padEnd(scale, '0');
  if (fraction.length > scale) throw new Error(`${decimal} has more than ${scale} decimals`);
  return BigInt(match[1] as string) * 10n ** BigInt(scale) + BigInt(fraction || '0');
}

/** USD cents of `amount` at `usdPerUnit`, rounded half up, in exact integer arithmetic. */
export function usdCents(amount: string, usdPerUnit: string): bigint {
  const cents = toScaled(amount, 2) * toScaled(usdPerUnit, 12);
  return (cents + RATE_SCALE / 2n) / RATE_SCALE;
}
