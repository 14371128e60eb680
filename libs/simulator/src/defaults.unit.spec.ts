import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { toScaled } from '@caravan/domain';
import { ARTICLE_TARGETS, DEFAULT_RATES, hasDefaultRate } from './defaults';

const migration = (name: string): string => readFileSync(join(__dirname, '../../database/migrations', name), 'utf8');

describe('the shipped defaults the simulator computes expected KPIs with', () => {
  it('are the rates migration 0002 inserts, currency by currency, to the 12 decimals of numeric(24, 12)', () => {
    const insert = /INSERT INTO currency_rates[^;]*;/.exec(migration('0002_event_store.sql'))?.[0] ?? '';
    const rows = [...insert.matchAll(/\('([A-Z]{3})',\s*'([^']+)',\s*([\d.]+)\)/g)].map(
      ([, currency, validFrom, rate]) => ({
        currency,
        validFromMs: Date.parse(validFrom as string),
        rate: toScaled(rate as string, 12),
      }),
    );
    expect(rows).toHaveLength(5);
    expect(
      DEFAULT_RATES.map((r) => ({
        currency: r.currency,
        validFromMs: r.validFromMs,
        rate: toScaled(r.usdPerUnit, 12),
      })),
    ).toEqual(rows);
  });

  it('are the targets migration 0004 inserts', () => {
    const insert = /INSERT INTO kpi_targets[^;]*;/.exec(migration('0004_kpi_snapshots.sql'))?.[0] ?? '';
    const rows = [...insert.matchAll(/\('([a-z_]+)',\s*'([^']+)',\s*(\d+),\s*(\d+)\)/g)].map(
      ([, kpi, scopeKey, year, target]) => ({
        kpi,
        scopeKey,
        year: Number(year),
        target: Number(target),
      }),
    );
    expect(rows).toHaveLength(2);
    expect(ARTICLE_TARGETS).toEqual(rows);
  });

  it('know which currencies have a rate, and from when', () => {
    expect(hasDefaultRate('CNY', Date.parse('2024-05-01T00:00:00Z'))).toBe(true);
    expect(hasDefaultRate('XAU', Date.parse('2024-05-01T00:00:00Z'))).toBe(false);
    expect(hasDefaultRate('USD', Date.parse('1999-12-31T23:59:59Z'))).toBe(false);
  });
});
