import type { Provider } from '@nestjs/common';
import type { Pool } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { createPool } from '@caravan/database';

/** The API's own pool: every session read-only, so no request can write, whatever the code does. */
export const API_POOL = Symbol('API_POOL');

export const apiPoolProvider: Provider = {
  provide: API_POOL,
  inject: [CONFIG],
  useFactory: (config: CaravanConfig): Pool =>
    createPool({
      url: config.api.databaseUrl ?? config.database.url,
      poolSize: config.database.poolSize,
      limits: config.database.limits,
      applicationName: `caravan-api-read-${process.pid}`,
      readOnly: true,
    }),
};
