import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '@caravan/database';
import { BackgroundLoop } from '@caravan/observability';
import { CurrencyRateValidity } from './currency-rates';

const RATES_REFRESH_MS = 30_000;

/** The currency rates records are judged against: loaded before the first batch, refreshed every 30 s. */
@Injectable()
export class RatesCache implements OnModuleDestroy {
  private readonly validity: CurrencyRateValidity;
  private refresher: BackgroundLoop | undefined;

  constructor(@Inject(PG_POOL) pool: Pool) {
    this.validity = new CurrencyRateValidity(pool);
  }

  readonly hasRate = (currency: string, atMs: number): boolean => this.validity.hasRate(currency, atMs);

  /** Loads the rates unless they are loaded: no record may be judged against an empty table. */
  ensureLoaded(): Promise<void> {
    return this.validity.ensureLoaded();
  }

  /** Reads the rates again now: a replay follows ops adding the rate a rejection lacked. */
  refresh(): Promise<void> {
    return this.validity.refresh();
  }

  /** Loads the rates now, then refreshes them in the background (a loop liveness watches). */
  async start(): Promise<void> {
    await this.validity.refresh();
    if (this.refresher) return;
    this.refresher = new BackgroundLoop({
      run: () => this.validity.refresh(),
      everyMs: RATES_REFRESH_MS,
      health: { name: 'rates-refresh', stalledAfterMs: 10 * RATES_REFRESH_MS },
    });
    this.refresher.start({ now: false });
  }

  async onModuleDestroy(): Promise<void> {
    await this.refresher?.stop();
  }
}
