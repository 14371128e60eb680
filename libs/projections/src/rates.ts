import type { Pool, PoolClient } from 'pg';
import { RateTable } from '@caravan/domain';

/** All reference rates (a small table), read per batch so ops' edits apply to later events. */
export async function loadRates(client: Pool | PoolClient): Promise<RateTable> {
  const { rows } = await client.query<{ currency: string; valid_from: Date; usd_per_unit: string }>(
    'SELECT currency, valid_from, usd_per_unit::text AS usd_per_unit FROM currency_rates',
  );
  return new RateTable(
    rows.map((r) => ({ currency: r.currency, validFromMs: r.valid_from.getTime(), usdPerUnit: r.usd_per_unit })),
  );
}
