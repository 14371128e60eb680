import { z } from 'zod';

/** Lower-case identifiers of ports, destinations, campaigns and platforms. */
export const slug = z
  .string()
  .regex(/^[a-z][a-z0-9-]{0,63}$/, 'expected a slug: a-z, 0-9 and -, starting with a letter, at most 64');
/** ISO 3166-1 alpha-2, upper case. */
export const country = z.string().regex(/^[A-Z]{2}$/, 'expected an ISO 3166-1 alpha-2 country code such as CN');
/** ISO 4217 code; whether Caravan holds a rate for it is checked apart (`unknown_currency`). */
export const currency = z.string().regex(/^[A-Z]{3}$/, 'expected an ISO 4217 currency code such as CNY');
/** The largest price a booking may carry (bounds of 2026-11-30): sums of prices stay far from any overflow. */
export const MAX_PRICE_AMOUNT = '100000000.00';
/** A decimal amount from 0 to 100,000,000.00 with at most 2 decimals, as a string so no precision is lost. */
export const decimalAmount = z
  .string()
  .regex(
    /^(?:(?:0|[1-9]\d{0,7})(?:\.\d{1,2})?|100000000(?:\.00?)?)$/,
    `expected a decimal string from 0 to ${MAX_PRICE_AMOUNT} with at most 2 decimals`,
  );
export const bookingId = z.string().min(1).max(64);
export const isoDate = z.iso.date();
