import type { CurrencyRate } from '@caravan/domain';
import type { KpiTarget } from './expected/expected-kpis';

const SINCE_2000 = Date.parse('2000-01-01T00:00:00Z');

/** The reference rates migration 0002 ships (2024 annual averages, valid from 2000); a unit test keeps them equal. */
export const DEFAULT_RATES: CurrencyRate[] = [
  { currency: 'USD', validFromMs: SINCE_2000, usdPerUnit: '1' },
  { currency: 'CNY', validFromMs: SINCE_2000, usdPerUnit: '0.1390' },
  { currency: 'KZT', validFromMs: SINCE_2000, usdPerUnit: '0.00213' },
  { currency: 'EUR', validFromMs: SINCE_2000, usdPerUnit: '1.0820' },
  { currency: 'RUB', validFromMs: SINCE_2000, usdPerUnit: '0.01085' },
];

/** The article's two targets, as migration 0004 ships them. */
export const ARTICLE_TARGETS: readonly KpiTarget[] = [
  { kpi: 'arrivals', scopeKey: 'nationality=CN', year: 2024, target: 500_000 },
  { kpi: 'revenue_usd', scopeKey: 'market=CN', year: 2024, target: 300_000_000 },
];

/** Whether a default rate is valid for `currency` at `atMs`: what the ingestor checks (unknown_currency). */
export function hasDefaultRate(currency: string, atMs: number): boolean {
  return DEFAULT_RATES.some((r) => r.currency === currency && r.validFromMs <= atMs);
}
