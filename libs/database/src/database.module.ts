import {
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  type OnApplicationShutdown,
  type OnModuleInit,
} from '@nestjs/common';
import type { Pool } from 'pg';
import { CONFIG, type CaravanConfig } from '@caravan/config';
import { currentSchemaVersion, migrate, migrationLabel, readMigrations } from './migrations';
import { loops } from '@caravan/observability';
import { classifyPgError } from './pg-errors';
import { createPool } from './pool';

/** Injection token of the app's pg Pool. */
export const PG_POOL = Symbol('PG_POOL');

/**
 * PostgreSQL answering and the schema current (migrated first when MIGRATE_ON_START): what every
 * part of an app that uses the database waits for. An app starts, and answers its probes, while
 * PostgreSQL is away; this keeps trying with backoff (one log line when it starts waiting, one
 * when it is through) and the readiness shows why it waits.
 */
@Injectable()
export class DatabaseStartup {
  private readonly logger = new Logger('Database');
  private started: Promise<void> | undefined;
  /** Why the database is not ready yet; undefined once it is. */
  waitingFor: string | undefined = 'starting';
  private shipped: number | undefined;

  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(CONFIG) private readonly config: CaravanConfig,
  ) {}

  /** Resolves once the database is ready (the first call starts the attempts). */
  ready(): Promise<void> {
    this.started ??= this.attempt();
    return this.started;
  }

  /**
   * Without MIGRATE_ON_START (an app running as a role that may not migrate), the schema must be
   * at least what this build ships: until `caravan migrate` (or the deployment's migration step)
   * has run, the app waits, and says so in its readiness.
   */
  private async schemaCurrent(): Promise<void> {
    this.shipped ??= readMigrations().length;
    const current = await currentSchemaVersion(this.pool);
    if (current < this.shipped)
      throw new Error(
        `the schema is at version ${current}, this build needs ${this.shipped}: waiting for caravan migrate`,
      );
  }

  private async attempt(): Promise<void> {
    for (let failures = 0; ; failures++) {
      try {
        if (this.config.database.migrateOnStart) {
          const report = await migrate(this.pool);
          if (report.applied.length > 0)
            this.logger.log(`applied migrations ${report.applied.map(migrationLabel).join(', ')}`);
        } else {
          await this.schemaCurrent();
        }
        if (failures > 0) this.logger.log(`PostgreSQL is ready after ${failures} failed attempt(s)`);
        this.waitingFor = undefined;
        return;
      } catch (error) {
        const reason = (error as Error).message || String(error);
        // A migration that fails for its own reason (not a lost connection) needs a person: no
        // retry, and the app's liveness fails with the reason (an orchestrator restarts it, visibly).
        if (classifyPgError(error) !== 'transient' && /^migration /.test(reason)) {
          this.waitingFor = reason;
          this.logger.error(reason);
          loops.register('database-startup', Number.MAX_SAFE_INTEGER).down(reason);
          throw error;
        }
        if (failures === 0) this.logger.warn(`PostgreSQL not ready (${reason}): retrying with backoff`);
        this.waitingFor = reason;
        await new Promise((resolve) => setTimeout(resolve, Math.min(10_000, 250 * 2 ** Math.min(failures, 6))));
      }
    }
  }
}

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
          limits: config.database.limits,
          // The process id tells ops (and pg_locks) which instance a session belongs to.
          applicationName: `caravan-${config.app}-${process.pid}`,
        }),
    },
    DatabaseStartup,
  ],
  exports: [PG_POOL, DatabaseStartup],
})
export class DatabaseModule implements OnModuleInit, OnApplicationShutdown {
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly startup: DatabaseStartup,
  ) {}

  /** Starts getting the database ready without waiting: the app answers its probes meanwhile. */
  onModuleInit(): void {
    this.startup.ready().catch(() => undefined);
  }

  async onApplicationShutdown(): Promise<void> {
    await this.pool.end();
  }
}
