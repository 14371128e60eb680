import type { INestApplication } from '@nestjs/common';
import { createApiApp } from '../../apps/api/src/api.app';
import {
  advisoryLockHolders,
  appEnv,
  type ChildApp,
  runCli,
  spawnApp,
  storeEvents,
  arrivalEvents,
  useChildApps,
  useTestDatabase,
  waitFor,
} from '../harness';

const TOKEN = 'requests-test-token-0123456789';

/**
 * Rebuilds asked for through the api (or the CLI) and run by the projector: the api writes only
 * the request; any api instance answers for it; a projector that dies while running it hands it
 * over to another.
 */
describe('rebuild requests: asked through the api, run by the projector (real PostgreSQL)', () => {
  const db = useTestDatabase();
  const running = useChildApps('all');
  const apis: INestApplication[] = [];
  let env: Record<string, string>;

  const call = async (base: string, path: string, init: RequestInit = {}) => {
    const response = await fetch(`${base}${path}`, {
      ...init,
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const startApi = async (): Promise<string> => {
    const api = await createApiApp({
      ...env,
      ADMIN_TOKEN: TOKEN,
      // Polling a job's status every 50 ms is beyond the limit (its own spec is admin-tokens.int.spec.ts).
      ADMIN_RATE_LIMIT_PER_MINUTE: '0',
      LOG_LEVEL: 'error',
    });
    await api.listen(0, '127.0.0.1');
    apis.push(api);
    return `http://127.0.0.1:${(api.getHttpServer().address() as { port: number }).port}`;
  };
  /** The rebuild `id` once done or failed, as `base` answers for it. */
  const finished = (base: string, id: string, what: string) =>
    waitFor(
      async () => {
        const { body } = await call(base, `/v1/admin/rebuilds/${id}`);
        return body.status === 'done' || body.status === 'failed' ? body : undefined;
      },
      { timeoutMs: 120_000, what },
    );
  /** Until the projector `app` runs its executor of rebuild requests. */
  const executorUp = (app: ChildApp) =>
    waitFor(
      async () =>
        (await advisoryLockHolders(db().pool, 'caravan-requests:rebuild')).includes(
          `caravan-projector-requests-${app.pid}`,
        ),
      { what: `projector ${app.pid} taking requests` },
    );
  const stored = async (): Promise<number> =>
    (await db().pool.query<{ n: number }>('SELECT count(*)::int AS n FROM events')).rows[0]?.n ?? 0;

  beforeAll(async () => {
    env = appEnv(db().url, { PROJECTOR_BATCH_SIZE: '25', PROJECTOR_STANDBY_MS: '200' });
    await storeEvents(db().pool, arrivalEvents(20_000));
  });
  afterAll(async () => {
    await Promise.all(apis.map((a) => a.close()));
  });

  it('a CLI with no projector running says so in one line; --here runs the rebuild in its own process', async () => {
    const refused = await runCli(['rebuild', 'watermark', '--quiet'], env);
    expect(refused.status).toBe(1);
    expect(refused.stderr.trim().split('\n')).toEqual([
      'caravan rebuild: no projector is running to execute the rebuild (start the pipeline: npx caravan up), ' +
        'or run it in this process: caravan rebuild watermark --here',
    ]);
    const { rows } = await db().pool.query(`SELECT count(*)::int AS n FROM admin_requests`);
    expect(rows[0].n).toBe(0);

    const here = await runCli(['rebuild', 'watermark', '--quiet', '--here'], env);
    expect([here.status, here.stderr]).toEqual([0, '']);
    expect(here.stdout).toContain(`watermark: ${await stored()} events replayed`);

    const replay = await runCli(['dlq', 'replay', '--quiet'], env);
    expect([replay.status, replay.stderr]).toEqual([
      1,
      'caravan dlq: no ingestor is running to execute the replay (start the pipeline: npx caravan up), ' +
        'or run it in this process: caravan dlq replay --here\n',
    ]);
  });

  it('answers a replay no ingestor takes with 202 and where to follow it; the request stays for one to run', async () => {
    const base = await startApi();
    const accepted = await call(base, '/v1/admin/rejections/replay', { method: 'POST', body: '{}' });
    expect(accepted).toMatchObject({
      status: 202,
      body: { status: 'requested', statusUrl: expect.stringMatching(/^\/v1\/admin\/replays\/[0-9a-f-]{36}$/) },
    });
    const followed = await call(base, String(accepted.body.statusUrl));
    expect(followed).toMatchObject({ status: 200, body: { id: accepted.body.id, status: 'requested', replayed: 0 } });
    await db().pool.query('DELETE FROM admin_requests');
  });

  it('runs a rebuild asked through one api in the projector, and answers its status from another api', async () => {
    const projector = spawnApp('projector', env);
    running.push(projector);
    const [first, second] = [await startApi(), await startApi()];
    await executorUp(projector);

    const started = await call(first, '/v1/admin/projections/arrivals_daily/rebuild', { method: 'POST' });
    expect(started).toMatchObject({ status: 202, body: { projection: 'arrivals_daily', status: 'running' } });
    const id = String(started.body.id);
    const done = await finished(second, id, 'the rebuild finished, seen from the second api');
    expect(done).toMatchObject({
      id,
      status: 'done',
      eventsReplayed: await stored(),
      executedBy: expect.stringMatching(new RegExp(`^projector@.+:${projector.pid}$`)),
      report: { projection: 'arrivals_daily', swapped: true, differences: [], eventsReplayed: await stored() },
    });
    expect((await call(second, '/v1/admin/rebuilds/00000000-0000-0000-0000-000000000000')).status).toBe(404);
    expect((await call(second, '/v1/admin/rebuilds/not-a-uuid')).status).toBe(404);

    // The CLI asks the same way and follows the request to its report.
    const cli = await runCli(['rebuild', 'media_daily', '--quiet'], env);
    expect([cli.status, cli.stderr]).toEqual([0, '']);
    expect(cli.stdout).toContain(`media_daily: ${await stored()} events replayed`);
    expect(cli.stdout).toContain('rebuilt tables equal the live ones; swapped in');
    const { rows } = await db().pool.query(
      `SELECT requested_by, claimed_by, status FROM admin_requests WHERE arguments->>'projection' = 'media_daily'`,
    );
    expect(rows).toEqual([{ requested_by: 'cli', claimed_by: expect.stringMatching(/^projector@/), status: 'done' }]);
  });

  it('takes over a rebuild whose projector was SIGKILLed while running it', async () => {
    const second = spawnApp('projector', env);
    running.push(second);
    const projectors = running.filter((a) => a.app === 'projector' && a.process.exitCode === null);
    expect(projectors).toHaveLength(2);
    await executorUp(second);
    const base = await startApi();
    const started = await call(base, '/v1/admin/projections/bookings/rebuild', { method: 'POST' });
    expect(started.status).toBe(202);
    const id = String(started.body.id);
    // Killed mid-way: some events replayed, not all.
    const holder = await waitFor(
      async () => {
        const { rows } = await db().pool.query<{ claimed_by: string; progress: string }>(
          `SELECT claimed_by, progress::text FROM admin_requests WHERE id = $1 AND status = 'running'`,
          [id],
        );
        const row = rows[0];
        if (!row || Number(row.progress) === 0) return undefined;
        return projectors.find((p) => row.claimed_by.endsWith(`:${p.pid}`));
      },
      { intervalMs: 5, what: 'the rebuild under way' },
    );
    holder.process.kill('SIGKILL');
    await holder.exited;
    const survivor = projectors.find((p) => p !== holder) as ChildApp;

    const done = await finished(base, id, 'the rebuild taken over and finished');
    expect(done).toMatchObject({
      status: 'done',
      executedBy: expect.stringMatching(new RegExp(`:${survivor.pid}$`)),
      report: { projection: 'bookings', swapped: true, differences: [] },
    });
    const { rows } = await db().pool.query(`SELECT attempt FROM admin_requests WHERE id = $1`, [id]);
    expect(rows[0].attempt).toBe(2);
  });
});
