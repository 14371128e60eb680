import type { Pool, PoolClient } from 'pg';
import { releaseSessionLock, takeSessionLock } from '@caravan/database';
import { BackgroundLoop, projectionBatchSeconds, projectionBatchSize } from '@caravan/observability';
import { applyNextBatch, ensureProjectionTables } from './apply-batch';
import type { Projection, TableNames } from './projection';

export type RunnerOptions = { batchSize: number; timeZone: string; idleMs: number; standbyMs: number };
type Log = {
  log: (m: string) => void;
  warn: (m: string) => void;
  error: (m: string) => void;
  debug?: (m: Record<string, unknown>) => void;
};

/**
 * Runs one projection: takes its advisory lock (one active runner across instances; the others
 * stand by and take over when its session ends), catches up in large batches, then follows new
 * events, woken by `wake()` (LISTEN/NOTIFY) or after `idleMs`. The lock and the writes share one
 * session, so a runner that loses its connection loses both at once.
 */
export class ProjectionRunner {
  /** One run: the lock tried (standing by), or one batch applied; at once again while there are more. */
  private readonly loop = new BackgroundLoop({ run: () => this.runOnce() });
  /** The session holding the lock, while active. */
  private client: PoolClient | undefined;
  active = false;
  applied = 0;
  /** Why the last attempt failed, while attempts fail. */
  failing: string | undefined;

  constructor(
    private readonly pool: Pool,
    readonly projection: Projection,
    private readonly tables: TableNames,
    private readonly options: RunnerOptions,
    private readonly logger: Log,
  ) {}

  start(): void {
    // Series at 0 from the start, so the first batch is an increase a rule can see.
    projectionBatchSize.zero({ projection: this.projection.name });
    projectionBatchSeconds.zero({ projection: this.projection.name });
    this.loop.start();
  }

  /** New events were appended: stop waiting. */
  wake(): void {
    this.loop.wake();
  }

  async stop(): Promise<void> {
    await this.loop.stop();
    await this.resign();
  }

  /** Resolves the wait until the next run. */
  private async runOnce(): Promise<number> {
    try {
      const client = this.client ?? (await this.lock());
      if (!client) return this.options.standbyMs;
      return (await this.applyBatch(client)) > 0 ? 0 : this.options.idleMs;
    } catch (error) {
      // Once per spell of failures (PostgreSQL away for minutes is one line, not one per attempt).
      if (this.failing === undefined)
        this.logger.warn(
          `${this.projection.name}: ${(error as Error).message}; retrying every ${this.options.standbyMs} ms`,
        );
      this.failing = (error as Error).message;
      await this.resign();
      return this.options.standbyMs;
    }
  }

  /** The lock taken on a session this runner keeps (its tables made there); undefined while another runner has it. */
  private async lock(): Promise<PoolClient | undefined> {
    const client = await takeSessionLock(this.pool, this.lockName);
    if (this.failing !== undefined) this.logger.log(`${this.projection.name}: PostgreSQL answers again`);
    this.failing = undefined;
    if (!client) return undefined;
    this.client = client;
    this.active = true;
    this.logger.log(`${this.projection.name}: active`);
    // pg_stat_activity names the projection a session works for (caravan-projector-<pid>:<projection>);
    // its lock's release resets the name before the session goes back to the pool.
    await client.query(
      `SELECT set_config('application_name', left(current_setting('application_name') || ':' || $1, 63), false)`,
      [this.projection.name],
    );
    await ensureProjectionTables(client, this.projection, this.tables);
    return client;
  }

  private async applyBatch(client: PoolClient): Promise<number> {
    const started = Date.now();
    const read = await applyNextBatch(client, this.projection, this.tables, {
      ...this.options,
      // One line per batch with the positions it covered: the projector's log follows the store.
      onApplied: (batch) =>
        this.logger.debug?.({
          msg: 'projection batch',
          projection: this.projection.name,
          ...batch,
          ms: Date.now() - started,
        }),
      onSetAside: (event) =>
        this.logger.error(
          `${this.projection.name}: event ${event.eventId} (${event.eventType}, position ${event.position}) ` +
            `could not be applied and is set aside: ${event.error}; a rebuild applies it again once the cause is fixed`,
        ),
    });
    this.applied += read;
    if (read > 0) {
      projectionBatchSize.observe({ projection: this.projection.name }, read);
      projectionBatchSeconds.observe({ projection: this.projection.name }, (Date.now() - started) / 1000);
    }
    return read;
  }

  /** Lets the lock go (another runner takes over), and the session. */
  private async resign(): Promise<void> {
    const client = this.client;
    this.client = undefined;
    this.active = false;
    if (client) await releaseSessionLock(client, this.lockName);
  }

  private get lockName(): string {
    return `projection:${this.projection.name}`;
  }
}
