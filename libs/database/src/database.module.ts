import { Global, Inject, Logger, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import type { Pool } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { migrate, migrationLabel } from './migrations';
import { createPool } from './pool';

/** Injection token of the app's pg Pool. */
export const PG_POOL = Symbol('PG_POOL');

@Global()
@Module({
  providers: [
    {
      provide: PG_POOL,
      inject: [CONFIG],
      useFactory: (config: CaravanConfig): Pool =>
        createPool({
          url: config.database.url,
          poolSize: config.database.poolSize,
          // The process id tells ops (and pg_locks) which instance a session belongs to.
          applicationName: `caravan-${config.app}-${process.pid}`,
        }),
    },
  ],
  exports: [PG_POOL],
})
export class DatabaseModule implements OnModuleInit, OnApplicationShutdown {
  private readonly logger = new Logger('Database');

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CONFIG) private readonly config: CaravanConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    if (!this.config.database.migrateOnStart) return;
    const report = await migrate(this.pool);
    if (report.applied.length > 0) {
      this.logger.log(`applied migrations ${report.applied.map(migrationLabel).join(', ')}`);
    }
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
