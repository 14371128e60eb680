import type { Random, Weighted } from '../random';

/** Relative activity per local hour, 0 to 23. */
export type HourProfile = Weighted<number>;

const profile = (weights: readonly number[]): HourProfile => weights.map((w, hour) => [hour, w] as const);

export const HOURS = {
  // Flights from Ürümqi, Beijing, Shanghai, Guangzhou, Moscow, Istanbul, Seoul: morning and evening
  // banks, a few red-eyes.
  airport: profile([3, 2, 2, 1, 1, 2, 4, 7, 9, 8, 6, 5, 5, 6, 7, 7, 6, 6, 7, 8, 8, 7, 6, 4]),
  // A few trains a day.
  rail: profile([0, 0, 0, 0, 0, 2, 6, 8, 2, 0, 0, 0, 1, 6, 7, 2, 0, 0, 1, 5, 6, 2, 0, 0]),
  // Border checkpoints open in daytime.
  border: profile([0, 0, 0, 0, 0, 0, 0, 0, 0, 4, 8, 9, 7, 6, 8, 9, 8, 6, 3, 0, 0, 0, 0, 0]),
  // Tour operators and agencies at work (Beijing office hours are 3 h ahead of Almaty).
  office: profile([0, 0, 0, 0, 1, 3, 6, 8, 9, 9, 8, 7, 8, 8, 6, 3, 2, 1, 1, 1, 0, 0, 0, 0]),
  // Online bookings all day, mostly in the evening of China.
  online: profile([2, 1, 1, 1, 1, 2, 3, 4, 5, 6, 6, 6, 7, 7, 8, 9, 10, 10, 9, 7, 5, 4, 3, 2]),
  // Analytics exports: a morning and an evening run.
  report: profile([0, 0, 0, 0, 0, 0, 3, 6, 3, 0, 0, 0, 0, 0, 0, 0, 0, 2, 5, 2, 0, 0, 0, 0]),
  // All traffic together: quiet nights, busy days.
  traffic: profile([2, 1, 1, 1, 1, 2, 4, 6, 8, 9, 9, 9, 9, 9, 9, 9, 9, 9, 8, 8, 7, 6, 4, 3]),
} as const;

/** A second of the local day, its hour drawn from the profile. */
export function secondOfDay(random: Random, hours: HourProfile): number {
  return random.weighted(hours) * 3600 + random.int(0, 3599);
}
