import { hostname } from 'node:os';
import type { Client, ClientConfig, Pool } from 'pg';
import type { CaravanConfig } from '@caravan/config';
import { classifyPgError, createClient, describePgError, PgListener, sessionSettings } from '@caravan/database';
import { listenConnected, type LoopHandle, loops } from '@caravan/observability';
import { claimRequest, finishRequest, releaseRequest, RequestSuperseded, saveProgress } from './claim-request';
import { type AdminRequest, executorLockName, type RequestKind, REQUESTS_CHANNEL } from './request';

/** What a request's work writes as it goes, for its claim only (a takeover's writes win). */
export type RequestProgress = {
  /** Progress (and the result so far), written within PROGRESS_EVERY_MS, in order, never blocking the work. */
  report(progress: number, result?: unknown): void;
  /** The same, now, on `db` (a client inside the work's own transaction: both commit together). */
  save(db: Pick<Client, 'query'>, progress: number, result?: unknown): Promise<void>;
};
export type RequestWork<K extends RequestKind> = (
  request: AdminRequest<K>,
  progress: RequestProgress,
) => Promise<{ result: unknown; progress: number }>;

export type RequestExecutorOptions<K extends RequestKind> = {
  kind: K;
  /** The pool the work and the progress writes use. */
  pool: Pool;
  /** The executor's own session (its locks) and its LISTEN connection. */
  connection: ClientConfig;
  /** Who claims: written to the request (claimed_by). */
  instance: string;
  /** Polled this often besides NOTIFY (which a lost LISTEN connection misses). */
  pollMs: number;
  /** The session is kept busy this often, under the server's idle_session_timeout. */
  pingMs: number;
  work: RequestWork<K>;
  logger: { log: (m: string) => void; warn: (m: string) => void; error: (m: string) => void };
};

const PROGRESS_EVERY_MS = 250;

/**
 * Executes the requests of one kind, one at a time, as the one writer of what they change: wakes on
 * NOTIFY caravan_requests (and polls), claims the oldest open request under its advisory lock
 * (claimRequest), runs it, records the outcome. Its session holds, for its whole life, a shared
 * lock that tells the api and the CLI an executor runs; the session idles no longer than the
 * server allows, so a frozen process loses its locks and its request is taken over.
 */
export class RequestExecutor<K extends RequestKind> {
  private session: Client | undefined;
  private readonly listener: PgListener;
  private loop: Promise<void> | undefined;
  private stopping = false;
  private woken = false;
  private wakeUp: (() => void) | undefined;
  private health: LoopHandle | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly options: RequestExecutorOptions<K>) {
    this.listener = new PgListener({
      connection: options.connection,
      channels: [REQUESTS_CHANNEL],
      onNotify: () => this.wake(),
      onState: (up) => listenConnected.set({ channel: REQUESTS_CHANNEL }, up ? 1 : 0),
      logger: options.logger,
    });
  }

  /** Starts once `ready` resolves (PostgreSQL answering, the schema current), unless stopped meanwhile. */
  startWhen(ready: Promise<void>): void {
    ready.then(
      () => {
        if (!this.stopping) this.start();
      },
      () => undefined,
    );
  }

  start(): void {
    if (this.loop) return;
    const health = loops.register(`${this.options.kind}-requests`, 60_000);
    this.health = health;
    this.listener.start();
    this.heartbeat = setInterval(() => {
      health.beat();
      this.session?.query('SELECT 1').catch((error: unknown) => health.failed(error));
    }, this.options.pingMs);
    this.heartbeat.unref();
    this.loop = this.run();
  }

  /** Stops claiming; a request running now is left to be taken over (its lock goes with the session). */
  async stop(): Promise<void> {
    this.stopping = true;
    this.wake();
    clearInterval(this.heartbeat);
    await this.listener.stop();
    this.dropSession();
    if (this.health) loops.unregister(this.health.loop);
    // The loop ends at once unless a request runs; that one is not waited for.
    await Promise.race([this.loop, new Promise((resolve) => setTimeout(resolve, 1_000).unref())]);
  }

  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  private async run(): Promise<void> {
    while (!this.stopping) {
      let claimed: AdminRequest | undefined;
      try {
        const session = await this.connect();
        claimed = await claimRequest(session, this.options.kind, this.options.instance);
        this.health?.beat();
      } catch (error) {
        if (!this.stopping) this.health?.failed(error);
        this.dropSession();
      }
      // After an interrupted request too: PostgreSQL may need a moment before it is taken over.
      if (!claimed || !(await this.execute(claimed as AdminRequest<K>))) await this.sleep(this.options.pollMs);
    }
    // A session connected while stop() ran is closed here.
    this.dropSession();
  }

  /**
   * Runs a claimed request and records its outcome; false when a lost connection (or the app
   * stopping) interrupted it: it stays running, its lock goes, and the next claim takes it over.
   */
  private async execute(request: AdminRequest<K>): Promise<boolean> {
    const { kind, logger, pool } = this.options;
    const what = `${kind} request ${request.id} (${JSON.stringify(request.arguments)})`;
    logger.log(`${what}: ${request.attempt > 1 ? `taken over (claim ${request.attempt})` : 'claimed'}`);
    let writes: Promise<void> = Promise.resolve();
    let lastWrite = 0;
    const progress: RequestProgress = {
      report: (n, result) => {
        if (Date.now() - lastWrite < PROGRESS_EVERY_MS) return;
        lastWrite = Date.now();
        writes = writes.then(() => saveProgress(pool, request, n, result)).catch(() => undefined);
      },
      save: (db, n, result) => saveProgress(db as Client, request, n, result),
    };
    try {
      const outcome = await this.options.work(request, progress);
      await writes;
      await finishRequest(pool, request, { status: 'done', ...outcome });
      logger.log(`${what}: done`);
      return true;
    } catch (error) {
      await writes;
      const reason = describePgError(error);
      if (error instanceof RequestSuperseded) logger.warn(`${what}: ${error.message}; its outcome is not recorded`);
      else if (classifyPgError(error) === 'transient' || this.stopping) {
        logger.warn(`${what}: interrupted (${reason}); the next claim takes it over`);
        return false;
      } else {
        logger.error(`${what}: failed: ${reason}`);
        await finishRequest(pool, request, { status: 'failed', error: reason }).catch((e: Error) =>
          logger.warn(`${what}: the failure could not be recorded: ${e.message}`),
        );
      }
      return true;
    } finally {
      const session = this.session;
      if (session) await releaseRequest(session, request.id).catch(() => this.dropSession());
    }
  }

  /** The executor's session, connected and holding the executor lock. */
  private async connect(): Promise<Client> {
    if (this.session) return this.session;
    const session = createClient(this.options.connection);
    session.on('end', () => {
      if (this.session === session) this.session = undefined;
    });
    try {
      await session.connect();
      await session.query(
        `SELECT set_config('idle_session_timeout', current_setting('idle_in_transaction_session_timeout'), false)`,
      );
      await session.query('SELECT pg_advisory_lock_shared(hashtext($1))', [executorLockName(this.options.kind)]);
    } catch (error) {
      await session.end().catch(() => undefined);
      throw error;
    }
    this.session = session;
    return session;
  }

  private dropSession(): void {
    const session = this.session;
    this.session = undefined;
    void session?.end().catch(() => undefined);
  }

  private sleep(ms: number): Promise<void> {
    if (this.woken || this.stopping) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      const self = this;
      function done() {
        clearTimeout(timer);
        self.wakeUp = undefined;
        self.woken = false;
        resolve();
      }
      this.wakeUp = done;
    });
  }
}

/**
 * An app's executor settings: its session and LISTEN connection (named caravan-<app>-requests-<pid>,
 * what advisoryLockHolders shows), who it claims as, and a ping well within DATABASE_IDLE_TIMEOUT_MS.
 */
export function executorSettings(
  config: CaravanConfig,
  app: 'projector' | 'ingestor',
): Pick<RequestExecutorOptions<RequestKind>, 'connection' | 'instance' | 'pingMs'> {
  const idle = config.database.limits.idleTimeoutMs;
  return {
    connection: {
      connectionString: config.database.url,
      application_name: `caravan-${app}-requests-${process.pid}`,
      ...sessionSettings(config.database.limits),
    },
    instance: `${app}@${hostname()}:${process.pid}`,
    pingMs: idle ? Math.max(200, Math.min(2_000, Math.floor(idle / 3))) : 2_000,
  };
}
