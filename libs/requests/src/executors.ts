import type { Pool } from 'pg';
import { advisoryLockHolders } from '@caravan/database';
import { executorLockName, type RequestKind } from './request';

/** The sessions (application names) of the running executors of `kind`: none means nobody will take a request. */
export function runningExecutors(pool: Pool, kind: RequestKind): Promise<string[]> {
  return advisoryLockHolders(pool, executorLockName(kind));
}
