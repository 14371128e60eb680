import type { BookingCreatedData } from '@caravan/contract';
import { addDays } from '@caravan/domain';
import type { HourProfile } from './calendar/time-of-day';
import {
  BOOKED_DESTINATIONS,
  CANCEL_REASONS,
  CHANNELS,
  CHANNELS_CN,
  CHANNELS_OTHER,
  CURRENCIES_BY_MARKET,
  CURRENCIES_OTHER,
  PRICE_LEVEL,
} from './catalog/bookings.catalog';
import type { Random } from './random';

/** A booking's data, the hours its channel sells at, and how likely it is cancelled. */
export type BookingDraft = { data: BookingCreatedData; hours: HourProfile; cancelShare: number };

// Close to the shipped reference rates, so a price means about the same in every currency.
const USD_PER_UNIT: Readonly<Record<string, number>> = { USD: 1, CNY: 0.139, KZT: 0.00213, EUR: 1.082, RUB: 0.01085 };
const WHOLE_UNITS = new Set(['KZT', 'RUB']);

/** A booking made on local day `bookingDay` by a traveller of `market`; `idPart` makes its bookingId. */
export function bookingDraft(random: Random, market: string, bookingDay: string, idPart: string): BookingDraft {
  const channel = random.weighted(market === 'CN' ? CHANNELS_CN : CHANNELS_OTHER);
  const profile = CHANNELS[channel];
  const destination = random.weighted(BOOKED_DESTINATIONS);
  const travelers = random.int(profile.travelers[0], profile.travelers[1]);
  const nights = random.int(profile.nights[0], profile.nights[1]);
  const perNight = profile.usdPerNight[0] + random.next() * (profile.usdPerNight[1] - profile.usdPerNight[0]);
  const usd = travelers * nights * perNight * (PRICE_LEVEL[destination] ?? 1);
  const currency = random.weighted(CURRENCIES_BY_MARKET[market] ?? CURRENCIES_OTHER);
  const data: BookingCreatedData = {
    bookingId: `${profile.code}-${idPart.toUpperCase()}`,
    market,
    destination,
    channel,
    travelers,
    checkIn: addDays(bookingDay, random.int(profile.leadDays[0], profile.leadDays[1])),
    nights,
    price: { amount: amountIn(usd, currency), currency },
  };
  return { data, hours: profile.hours, cancelShare: profile.cancelShare };
}

function amountIn(usd: number, currency: string): string {
  const units = usd / (USD_PER_UNIT[currency] ?? 1);
  return WHOLE_UNITS.has(currency) ? String(Math.round(units)) : (Math.round(units * 100) / 100).toFixed(2);
}

/** Seconds from a booking to its cancellation: mostly within days, at most a month. */
export function cancelDelaySeconds(random: Random): number {
  return 2 * 3600 + Math.floor(random.next() ** 2 * 30 * 86_400);
}

/** A cancellation reason, or none (it is optional). */
export function cancelReason(random: Random): { reason?: string } {
  return random.chance(0.3) ? {} : { reason: random.pick(CANCEL_REASONS) };
}
