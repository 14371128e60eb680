import { usdCents } from './money';

export type CurrencyRate = { currency: string; validFromMs: number; usdPerUnit: string };

/** Rates by currency, each list sorted by validFrom, for lookups at an instant. */
export class RateTable {
  private readonly byCurrency = new Map<string, CurrencyRate[]>();

  constructor(rates: CurrencyRate[]) {
    for (const rate of [...rates].sort((a, b) => a.validFromMs - b.validFromMs)) {
      const list = this.byCurrency.get(rate.currency) ?? [];
      list.push(rate);
      this.byCurrency.set(rate.currency, list);
    }
  }

  /** The rate valid at `atMs`: the latest whose validFrom is not after it. */
  rateAt(currency: string, atMs: number): CurrencyRate | undefined {
    const list = this.byCurrency.get(currency) ?? [];
    let found: CurrencyRate | undefined;
    for (const rate of list) {
      if (rate.validFromMs > atMs) break;
      found = rate;
    }
    return found;
  }

  /** USD cents of a price at an instant; throws when no rate is valid then (the ingestor rejects those). */
  toUsdCents(amount: string, currency: string, atMs: number): bigint {
    const rate = this.rateAt(currency, atMs);
    if (!rate) throw new Error(`no ${currency} rate valid at ${new Date(atMs).toISOString()}`);
    return usdCents(amount, rate.usdPerUnit);
  }
}
