import type { Pool } from 'pg';
import { createPool } from '@caravan/database';
import { loops } from '@caravan/observability';
import { PROJECTIONS, rebuildProjection, rebuildRequestWork } from '@caravan/projections';
import {
  type AdminRequest,
  readRequest,
  RequestExecutor,
  requestLockName,
  type RequestExecutorOptions,
  RequestSuperseded,
  type RequestWork,
  submitRequest,
} from '@caravan/requests';
import { advisoryLockHolders, arrivalEvents, storeEvents, useTestDatabase, waitFor } from '../harness';

const TZ = 'Asia/Almaty';
const N = 20_000;
const PROJECTION = 'arrivals_daily';

/**
 * Rebuild requests run by executors of this process, two at a time, against one database: what
 * happens to a rebuild when its executor loses its session or stops while the rebuild runs.
 */
describe('rebuild requests taken over while the stale rebuild still runs (real PostgreSQL)', () => {
  const db = useTestDatabase();
  const executors: RequestExecutor<'rebuild'>[] = [];
  const logs: string[] = [];
  const projection = PROJECTIONS.find((p) => p.name === PROJECTION);

  /** The projector's own work, small batches so that a rebuild of N events takes seconds. */
  const work = (pool: Pool = db().pool): RequestWork<'rebuild'> =>
    rebuildRequestWork(pool, { timeZone: TZ, batchSize: 25, log: () => undefined });
  const start = (
    name: string,
    run: RequestWork<'rebuild'>,
    options: Partial<RequestExecutorOptions<'rebuild'>> = {},
  ): RequestExecutor<'rebuild'> => {
    const executor = new RequestExecutor({
      kind: 'rebuild',
      pool: db().pool,
      connection: { connectionString: db().url, application_name: `test-executor-${name}` },
      instance: name,
      pollMs: 100,
      pingMs: 100,
      work: run,
      logger: {
        log: (m) => void logs.push(`${name}: ${m}`),
        warn: (m) => void logs.push(`${name}: ${m}`),
        error: (m) => void logs.push(`${name}: ${m}`),
      },
      ...options,
    });
    executors.push(executor);
    executor.start();
    return executor;
  };
  /**
   * Ends the session holding the request's lock (its executor's), as a crash, a failover or an idle
   * timeout would; not the executor's LISTEN connection, whose reconnect would wake it at once.
   */
  const killSession = async (request: AdminRequest) => {
    const { rows } = await db().pool.query<{ ended: boolean }>(
      `SELECT pg_terminate_backend(pid) AS ended FROM pg_locks
       WHERE locktype = 'advisory' AND granted AND objid = (hashtext($1)::bigint & 4294967295)::oid
         AND database = (SELECT oid FROM pg_database WHERE datname = current_database())`,
      [requestLockName(request.id)],
    );
    expect(rows).toEqual([{ ended: true }]);
  };
  const underWay = (id: string, by: string) =>
    waitFor(
      async () => {
        const r = await readRequest(db().pool, 'rebuild', id);
        return r?.status === 'running' && r.claimedBy === by && r.progress > 0 ? r : undefined;
      },
      { intervalMs: 5, what: `the rebuild under way in ${by}` },
    );
  const finished = (id: string) =>
    waitFor(
      async () => {
        const r = await readRequest(db().pool, 'rebuild', id);
        return r?.status === 'done' || r?.status === 'failed' ? r : undefined;
      },
      { timeoutMs: 60_000, what: 'the rebuild finished' },
    );
  /** Records how the work of a stale executor ended (its executor may not tell). */
  const watched =
    (run: RequestWork<'rebuild'>, outcome: { error?: unknown; done?: boolean }): RequestWork<'rebuild'> =>
    (request, progress, signal) =>
      run(request, progress, signal).then(
        (r) => {
          outcome.done = true;
          return r;
        },
        (error: unknown) => {
          outcome.error = error;
          throw error;
        },
      );
  const expectDoneByTakeover = async (request: AdminRequest, by: string) => {
    const done = await finished(request.id);
    expect(done).toMatchObject({
      status: 'done',
      attempt: 2,
      claimedBy: by,
      progress: N,
      result: { projection: PROJECTION, eventsReplayed: N, swapped: true, differences: [], setAside: 0 },
    });
    // The live tables equal a fresh rebuild of them, and no rebuild holds the projection any more.
    if (!projection) throw new Error(`no projection ${PROJECTION}`);
    const fresh = await rebuildProjection(db().pool, projection, { timeZone: TZ, batchSize: 5_000, swap: false });
    expect(fresh).toMatchObject({ eventsReplayed: N, differences: [] });
  };

  beforeAll(async () => {
    await storeEvents(db().pool, arrivalEvents(N));
  });
  afterEach(async () => {
    await Promise.all(executors.splice(0).map((e) => e.stop()));
    await db().pool.query('DELETE FROM admin_requests');
    logs.length = 0;
  });

  it('a rebuild that goes on after its session was killed holds the takeover off (busy, not failed), and its swap is refused', async () => {
    const request = await submitRequest(db().pool, 'rebuild', { projection: PROJECTION, swap: true }, 'test');
    // A rebuild that does not notice the abort (as one inside its swap transaction would not).
    const stale: { error?: unknown; done?: boolean } = {};
    start(
      'a',
      watched((r, p) => work()(r, p, new AbortController().signal), stale),
      { pollMs: 60_000 },
    );
    await underWay(request.id, 'a');
    start('b', work());
    await killSession(request);

    await expectDoneByTakeover(request, 'b');
    await waitFor(() => stale.error ?? stale.done, { what: 'the stale rebuild ended' });
    expect(stale.error).toBeInstanceOf(RequestSuperseded);
    expect(logs).toContainEqual(expect.stringMatching(/^b: .*a rebuild of arrivals_daily is already running/));
    expect(logs).not.toContainEqual(expect.stringMatching(/failed/));
  });

  it('a rebuild whose executor lost its session stops at its next batch, and its executor, reconnected, takes it over', async () => {
    const request = await submitRequest(db().pool, 'rebuild', { projection: PROJECTION, swap: true }, 'test');
    const runs: { error?: unknown; done?: boolean }[] = [];
    start('a', (r, p, signal) => {
      const outcome = {};
      runs.push(outcome);
      return watched(work(), outcome)(r, p, signal);
    });
    await underWay(request.id, 'a');
    await killSession(request);

    await expectDoneByTakeover(request, 'a');
    expect(runs).toEqual([{ error: expect.objectContaining({ name: 'RequestInterrupted' }) }, { done: true }]);
    expect(logs).not.toContainEqual(expect.stringMatching(/failed/));
  });

  it('stop() aborts the rebuild it runs and returns; its pool ends; another executor takes the request over', async () => {
    const request = await submitRequest(db().pool, 'rebuild', { projection: PROJECTION, swap: true }, 'test');
    // The app's own pool, ended after stop() as DatabaseModule does at shutdown.
    const pool = createPool({ url: db().url, poolSize: 2 });
    const stopped: { error?: unknown; done?: boolean } = {};
    const a = start('a', watched(work(pool), stopped), { pool });
    await underWay(request.id, 'a');

    await a.stop();
    expect(stopped.done).toBeUndefined();
    expect((stopped.error as Error).name).toBe('RequestInterrupted');
    expect(await advisoryLockHolders(db().pool, `projection-rebuild:${PROJECTION}`)).toEqual([]);
    await pool.end();
    expect(await readRequest(db().pool, 'rebuild', request.id)).toMatchObject({ status: 'running', attempt: 1 });

    start('b', work());
    await expectDoneByTakeover(request, 'b');
  });

  it('leaves a request whose projection another session is rebuilding running (busy), and runs it once free', async () => {
    const holder = await db().pool.connect();
    try {
      await holder.query('SELECT pg_advisory_lock(hashtext($1))', ['projection-rebuild:watermark']);
      const request = await submitRequest(db().pool, 'rebuild', { projection: 'watermark', swap: true }, 'test');
      let tries = 0;
      start('b', (r, p, signal) => {
        tries += 1;
        return work()(r, p, signal);
      });
      await waitFor(() => tries >= 3, { what: 'the executor trying again' });
      expect(await readRequest(db().pool, 'rebuild', request.id)).toMatchObject({ status: 'running', attempt: 1 });
      await holder.query('SELECT pg_advisory_unlock(hashtext($1))', ['projection-rebuild:watermark']);
      expect(await finished(request.id)).toMatchObject({ status: 'done', attempt: 1, progress: N });
    } finally {
      holder.release();
    }
  });

  it('shows an executor whose work hangs (reports no progress) as stalled in health', async () => {
    const hang: RequestWork<'rebuild'> = (_request, _progress, signal) =>
      new Promise((_resolve, reject) => signal?.addEventListener('abort', () => reject(signal.reason as Error)));
    const request = await submitRequest(db().pool, 'rebuild', { projection: 'watermark', swap: true }, 'test');
    start('hung', hang, { stalledAfterMs: 500 });
    await waitFor(async () => (await readRequest(db().pool, 'rebuild', request.id))?.status === 'running', {
      what: 'the request claimed',
    });
    const report = () => loops.reports().find((r) => r.loop.startsWith('rebuild-requests'));
    expect(report()?.stalled).toBe(false);
    await waitFor(() => report()?.stalled, { timeoutMs: 5_000, what: 'the hung executor shown stalled' });
  });
});
