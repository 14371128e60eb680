import { type TileKpi, USD_KPIS } from './model';

/** Number, percent, currency and date formatting in the chosen locale (Intl). */
export class Format {
  private readonly integer: Intl.NumberFormat;
  private readonly usd: Intl.NumberFormat;
  private readonly pct: Intl.NumberFormat;
  private readonly percent: Intl.NumberFormat;
  private readonly date: Intl.DateTimeFormat;
  private readonly dateTime: Intl.DateTimeFormat;

  constructor(
    readonly locale: string,
    timeZone: string,
  ) {
    this.integer = new Intl.NumberFormat(locale, { maximumFractionDigits: 0 });
    this.usd = new Intl.NumberFormat(locale, { style: 'currency', currency: 'USD', maximumFractionDigits: 0 });
    this.pct = new Intl.NumberFormat(locale, {
      style: 'percent',
      minimumFractionDigits: 1,
      maximumFractionDigits: 1,
      signDisplay: 'exceptZero',
    });
    this.percent = new Intl.NumberFormat(locale, {
      style: 'percent',
      minimumFractionDigits: 1,
      maximumFractionDigits: 1,
    });
    this.date = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone });
    this.dateTime = new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeStyle: 'short', timeZone });
  }

  count(n: number): string {
    return this.integer.format(n);
  }

  kpi(kpi: TileKpi, n: number): string {
    return USD_KPIS.includes(kpi) ? this.usd.format(n) : this.integer.format(n);
  }

  /** A percentage as the API gives it (131.0 for 131.0%), with its sign. */
  change(pct: number): string {
    return this.pct.format(pct / 100);
  }

  /** A share such as progress (131.0%), without a sign. */
  share(pct: number): string {
    return this.percent.format(pct / 100);
  }

  day(iso: string): string {
    return this.date.format(new Date(iso));
  }

  moment(iso: string): string {
    return this.dateTime.format(new Date(iso));
  }
}
