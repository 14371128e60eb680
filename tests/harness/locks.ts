import type { Pool } from 'pg';
import { PROJECTION_NAMES } from '@caravan/contract';
import { advisoryLockHolders } from '@caravan/database';

/**
 * The holder of each projection's runner lock (`projection:<name>`), in PROJECTION_NAMES order:
 * not the shared lock a batch takes for its transaction, which would count a runner twice.
 */
export async function projectionLockHolders(pool: Pool): Promise<string[]> {
  return (await Promise.all(PROJECTION_NAMES.map((name) => advisoryLockHolders(pool, `projection:${name}`)))).flat();
}
