import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import type { Pool } from 'pg';
import { PG_POOL } from '@caravan/database';
import { type LoopHandle, loops } from '@caravan/observability';
import { CurrencyRateValidity } from './currency-rates';

const RATES_REFRESH_MS = 30_000;

/** The currency rates records are judged against: loaded before the first batch, refreshed every 30 s. */
@Injectable()
export class RatesCache implements OnModuleDestroy {
  private readonly validity: CurrencyRateValidity;
  private timer: NodeJS.Timeout | undefined;
  private health: LoopHandle | undefined;

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
    if (this.timer) return;
    const health = loops.register('rates-refresh', 10 * RATES_REFRESH_MS);
    this.health = health;
    this.timer = setInterval(() => {
      this.validity.refresh().then(
        () => health.beat(),
        (error: unknown) => {
          health.failed(error);
          health.beat();
        },
      );
    }, RATES_REFRESH_MS);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    clearInterval(this.timer);
    if (this.health) loops.unregister(this.health.loop);
  }
}
