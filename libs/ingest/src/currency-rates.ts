import type { Pool } from 'pg';

/** From when each currency has a reference rate; the ingestor rejects others as `unknown_currency`. */
export class CurrencyRateValidity {
  private validFrom = new Map<string, number>();
  private loaded = false;

  constructor(private readonly pool: Pool) {}

  /** Loads the rates unless they are loaded: no record may be judged against an empty table. */
  async ensureLoaded(): Promise<void> {
    if (!this.loaded) await this.refresh();
  }

  async refresh(): Promise<void> {
    const { rows } = await this.pool.query<{ currency: string; valid_from: Date }>(
      'SELECT currency, min(valid_from) AS valid_from FROM currency_rates GROUP BY currency',
    );
    this.validFrom = new Map(rows.map((r) => [r.currency, r.valid_from.getTime()]));
    this.loaded = true;
  }

  hasRate = (currency: string, atMs: number): boolean => {
    const from = this.validFrom.get(currency);
    return from !== undefined && from <= atMs;
  };
}
