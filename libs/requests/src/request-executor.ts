import { hostname } from 'node:os';
import { setTimeout as delay } from 'node:timers/promises';
import type { Client, ClientConfig, Pool } from 'pg';
import type { CaravanConfig } from '@caravan/config';
import { classifyPgError, createClient, describePgError, PgListener, sessionSettings } from '@caravan/database';
import { BackgroundLoop, listenConnected, type LoopHandle, loops } from '@caravan/observability';
import { claimRequest, finishRequest, noteInterruption, releaseRequest, RequestSuperseded } from './claim-request';
import { type AdminRequest, executorLockName, type RequestKind, REQUESTS_CHANNEL } from './request';
import { RequestBusy, RequestInterrupted } from './request-errors';
import { progressWriter, type RequestProgress } from './request-progress';

/**
 * A request's work. `signal` is aborted when its executor stops or loses its session (and the
 * request its lock): the work then ends at its next step, throwing (`signal.throwIfAborted()`).
 */
export type RequestWork<K extends RequestKind> = (
  request: AdminRequest<K>,
  progress: RequestProgress,
  signal: AbortSignal,
) => Promise<{ result: unknown; progress: number }>;

export type RequestExecutorOptions<K extends RequestKind> = {
  kind: K;
  /** The pool the work and the progress writes use. */
  pool: Pool;
  /** The executor's own session (its locks) and its LISTEN connection. */
  connection: ClientConfig;
  /** Who claims: written to the request (claimed_by). */
  instance: string;
  /** Polled this often besides NOTIFY (which a lost LISTEN connection misses); a busy work is tried again as often. */
  pollMs: number;
  /** The session is kept busy this often, under the server's idle_session_timeout. */
  pingMs: number;
  /** How long the executor may go without claiming or its work reporting progress before health shows it stalled. */
  stalledAfterMs?: number;
  work: RequestWork<K>;
  logger: { log: (m: string) => void; warn: (m: string) => void; error: (m: string) => void };
};

const STALLED_AFTER_MS = 60_000;
/** How long stop() waits for an aborted work to end (a rebuild ends at its next batch). */
const STOP_WAIT_MS = 10_000;

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
  private readonly loop: BackgroundLoop;
  private stopping = false;
  private sessionQueue: Promise<unknown> = Promise.resolve();
  private sessionUsers = 0;
  private health: LoopHandle | undefined;
  private heartbeat: NodeJS.Timeout | undefined;
  /** The work in progress: aborted by stop(). */
  private running: AbortController | undefined;

  constructor(private readonly options: RequestExecutorOptions<K>) {
    this.listener = new PgListener({
      connection: options.connection,
      channels: [REQUESTS_CHANNEL],
      onNotify: () => this.wake(),
      onState: (up) => listenConnected.set({ channel: REQUESTS_CHANNEL }, up ? 1 : 0),
      logger: options.logger,
    });
    // Its health is its own (not the loop's): a long work beats it by reporting progress.
    this.loop = new BackgroundLoop({ run: () => this.turn(), everyMs: options.pollMs });
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
    if (this.health || this.stopping) return;
    this.health = loops.register(`${this.options.kind}-requests`, this.options.stalledAfterMs ?? STALLED_AFTER_MS);
    this.listener.start();
    // Keeps the session from idling out; no sign of life: that comes from claiming and from the work.
    this.heartbeat = setInterval(() => {
      // Skipped while a claim or a release uses the session (that keeps it from idling too).
      if (this.sessionUsers > 0 || !this.session) return;
      const session = this.session;
      void this.onSession(() => session.query('SELECT 1')).catch((error: unknown) => this.health?.failed(error));
    }, this.options.pingMs);
    this.heartbeat.unref();
    this.loop.start();
  }

  /**
   * Stops claiming and aborts the request running now, waiting (STOP_WAIT_MS at most) for its work
   * to end, so that the app's pool can end; the request is left to be taken over.
   */
  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.heartbeat);
    this.running?.abort(new RequestInterrupted('the executor is stopping'));
    await this.listener.stop();
    await Promise.race([this.loop.stop(), delay(STOP_WAIT_MS, undefined, { ref: false })]);
    this.dropSession();
    if (this.health) loops.unregister(this.health.loop);
  }

  wake(): void {
    this.loop.wake();
  }

  /** Claims the oldest open request and runs it; how long to wait before the next turn (0: at once). */
  private async turn(): Promise<number> {
    let claimed: AdminRequest | undefined;
    try {
      claimed = await this.onSession(async () => {
        const session = await this.connect();
        // stop() began while connecting: nothing is claimed any more.
        return this.stopping ? undefined : claimRequest(session, this.options.kind, this.options.instance);
      });
      if (this.stopping && !claimed) return 0;
    } catch (error) {
      if (!this.stopping) this.health?.failed(error);
      this.dropSession();
    }
    this.health?.beat();
    if (!claimed) return this.options.pollMs;
    if (this.stopping) {
      await this.release(claimed.id);
      return 0;
    }
    // After an interrupted request too: PostgreSQL may need a moment before it is taken over.
    return (await this.execute(claimed as AdminRequest<K>)) ? 0 : this.options.pollMs;
  }

  /**
   * Runs a claimed request and records its outcome; false when it was interrupted (a lost
   * connection, the executor stopping): it stays running, its lock goes, and the next claim takes it over.
   */
  private async execute(request: AdminRequest<K>): Promise<boolean> {
    const { kind, logger, pool } = this.options;
    const what = `${kind} request ${request.id} (${JSON.stringify(request.arguments)})`;
    logger.log(`${what}: ${request.attempt > 1 ? `taken over (claim ${request.attempt})` : 'claimed'}`);
    const session = this.session;
    const controller = new AbortController();
    // The session holds the request's lock: without it, a takeover may begin.
    const lost = () => controller.abort(new RequestInterrupted('the executor lost its session and the request lock'));
    session?.once('end', lost).once('error', lost);
    if (!session) lost();
    this.running = controller;
    const writer = progressWriter(pool, request, () => this.health?.beat());
    try {
      const outcome = await this.workWhenFree(request, writer.progress, controller.signal, what);
      await writer.written();
      await finishRequest(pool, request, { status: 'done', ...outcome });
      logger.log(`${what}: done`);
      return true;
    } catch (error) {
      await writer.written();
      return this.settle(request, what, error, controller.signal);
    } finally {
      this.running = undefined;
      session?.off('end', lost).off('error', lost);
      if (session && this.session === session) await this.release(request.id);
    }
  }

  /** Runs the work; while what it needs is busy (RequestBusy), again every pollMs under the same claim. */
  private async workWhenFree(
    request: AdminRequest<K>,
    progress: RequestProgress,
    signal: AbortSignal,
    what: string,
  ): Promise<{ result: unknown; progress: number }> {
    // The claim is kept: claiming anew would count towards MAX_CLAIMS, and another executor would find it busy too.
    for (let tries = 1; ; tries++) {
      try {
        return await this.options.work(request, progress, signal);
      } catch (error) {
        if (!(error instanceof RequestBusy) || signal.aborted) throw error;
        if (tries === 1)
          this.options.logger.log(`${what}: ${error.message}; trying again every ${this.options.pollMs} ms`);
        this.health?.beat();
        await delay(this.options.pollMs, undefined, { signal });
      }
    }
  }

  /** Records what the work's error means for the request; false when it is left to the next claim. */
  private async settle(request: AdminRequest<K>, what: string, error: unknown, signal: AbortSignal): Promise<boolean> {
    const { logger, pool } = this.options;
    const reason = describePgError(signal.aborted ? signal.reason : error);
    if (error instanceof RequestSuperseded) {
      logger.warn(`${what}: ${error.message}; its outcome is not recorded`);
      return true;
    }
    if (signal.aborted || error instanceof RequestInterrupted || classifyPgError(error) === 'transient') {
      logger.warn(`${what}: interrupted (${reason}); the next claim takes it over`);
      // The reason a request given up after MAX_CLAIMS shows.
      await noteInterruption(pool, request, reason).catch(() => undefined);
      return false;
    }
    logger.error(`${what}: failed: ${reason}`);
    await finishRequest(pool, request, { status: 'failed', error: reason }).catch((e: Error) =>
      logger.warn(`${what}: the failure could not be recorded: ${e.message}`),
    );
    return true;
  }

  private async release(id: string): Promise<void> {
    const session = this.session;
    if (session) await this.onSession(() => releaseRequest(session, id)).catch(() => this.dropSession());
  }

  /**
   * One use of the session at a time (a claim, a release, a ping): node-postgres queues a query
   * sent while another runs, a behaviour it deprecates; here none is ever sent.
   */
  private onSession<T>(use: () => Promise<T>): Promise<T> {
    this.sessionUsers += 1;
    const result = this.sessionQueue.then(use);
    this.sessionQueue = result.then(
      () => undefined,
      () => undefined,
    );
    return result.finally(() => (this.sessionUsers -= 1));
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
