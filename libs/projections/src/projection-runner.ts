import type { Pool, PoolClient } from 'pg';
import { projectionBatchSeconds, projectionBatchSize } from '@caravan/observability';
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
  private stopping = false;
  private loop: Promise<void> | undefined;
  private wakeUp: (() => void) | undefined;
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
    this.loop ??= this.run();
  }

  /** New events were appended: stop waiting. */
  wake(): void {
    this.wakeUp?.();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    await this.loop;
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      try {
        await this.runWhileLocked();
      } catch (error) {
        // Once per spell of failures (PostgreSQL away for minutes is one line, not one per attempt).
        if (this.failing === undefined)
          this.logger.warn(
            `${this.projection.name}: ${(error as Error).message}; retrying every ${this.options.standbyMs} ms`,
          );
        this.failing = (error as Error).message;
        this.client?.release(true);
        this.client = undefined;
        this.active = false;
        await this.sleep(this.options.standbyMs);
      }
    }
  }

  private async runWhileLocked(): Promise<void> {
    const client = await this.pool.connect();
    this.client = client;
    const { rows } = await client.query<{ locked: boolean }>('SELECT pg_try_advisory_lock(hashtext($1)) AS locked', [
      `projection:${this.projection.name}`,
    ]);
    if (this.failing !== undefined) this.logger.log(`${this.projection.name}: PostgreSQL answers again`);
    this.failing = undefined;
    if (!rows[0]?.locked) {
      client.release();
      this.client = undefined;
      await this.sleep(this.options.standbyMs);
      return;
    }
    this.active = true;
    this.logger.log(`${this.projection.name}: active`);
    try {
      // The lock lives as long as the session: a leader frozen (SIGSTOP, a VM pause) between
      // batches would keep it forever. Idle as long as a transaction may be, the server ends the
      // session and a stand-by takes over; a live leader is never idle that long (PROJECTOR_IDLE_MS).
      await client.query(
        `SELECT set_config('idle_session_timeout', current_setting('idle_in_transaction_session_timeout'), false)`,
      );
      await ensureProjectionTables(client, this.projection, this.tables);
      while (!this.stopping) {
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
              `${this.projection.name}: event ${event.eventId} (${event.eventType}, position ${event.position}) could not be applied and is set aside: ${event.error}; a rebuild applies it again once the cause is fixed`,
            ),
        });
        this.applied += read;
        if (read > 0) {
          projectionBatchSize.observe({ projection: this.projection.name }, read);
          projectionBatchSeconds.observe({ projection: this.projection.name }, (Date.now() - started) / 1000);
        }
        if (read === 0) await this.sleep(this.options.idleMs);
      }
    } finally {
      this.active = false;
      await client
        .query('SELECT pg_advisory_unlock(hashtext($1))', [`projection:${this.projection.name}`])
        .catch(() => undefined);
      const reset = await client.query('RESET idle_session_timeout').then(
        () => undefined,
        (e: Error) => e,
      );
      client.release(reset);
      this.client = undefined;
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wakeUp = done;
    });
  }
}
