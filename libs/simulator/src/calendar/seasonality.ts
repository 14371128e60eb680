/** Chinese New Year (first day of the Spring Festival holiday), by year. */
export const SPRING_FESTIVAL: Readonly<Record<number, string>> = {
  2023: '2023-01-22',
  2024: '2024-02-10',
  2025: '2025-01-29',
  2026: '2026-02-17',
  2027: '2027-02-06',
  2028: '2028-01-26',
};

// Relative volume by month: a summer peak (mountains, lakes), a quiet November and late winter.
const MONTHS_CN = [0.55, 0.6, 0.72, 0.85, 1.0, 1.2, 1.5, 1.55, 1.1, 1.0, 0.58, 0.62];
const MONTHS_OTHER = [0.8, 0.72, 0.85, 0.9, 1.0, 1.15, 1.35, 1.35, 1.05, 0.9, 0.75, 0.9];
// Sunday … Saturday: short trips start on Fridays and Saturdays.
const WEEKDAYS = [1.04, 0.95, 0.93, 0.95, 1.0, 1.08, 1.1];

const DAY_MS = 86_400_000;
const daysFrom = (day: string, anchor: string): number => Math.round((Date.parse(day) - Date.parse(anchor)) / DAY_MS);

/** How busy a local day (YYYY-MM-DD) is for travellers from `market`, relative to an ordinary May weekday. */
export function dayWeight(day: string, market = 'CN'): number {
  const month = Number(day.slice(5, 7));
  const date = Number(day.slice(8, 10));
  const weekday = new Date(`${day}T00:00:00Z`).getUTCDay();
  let weight = ((market === 'CN' ? MONTHS_CN : MONTHS_OTHER)[month - 1] ?? 1) * (WEEKDAYS[weekday] ?? 1);
  if (market === 'CN') weight *= chineseHolidayFactor(day, month, date);
  else if ((month === 12 && date >= 28) || (month === 1 && date <= 3)) weight *= 1.3;
  else if (month === 3 && date >= 21 && date <= 23) weight *= 1.2; // Nauryz
  return weight;
}

function chineseHolidayFactor(day: string, month: number, date: number): number {
  if (month === 10 && date <= 7) return 2.3; // Golden Week
  if (month === 10 && date === 8) return 1.3;
  if (month === 5 && date <= 5) return 1.6; // Labour Day holiday
  const festival = SPRING_FESTIVAL[Number(day.slice(0, 4))];
  if (festival) {
    const d = daysFrom(day, festival);
    if (d >= -2 && d <= 6) return 1.9;
  }
  return 1;
}
