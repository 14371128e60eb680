import type { Client } from 'pg';
import { createClient } from '@caravan/database';
import { useTestDatabase, waitFor } from '../../../tests/harness';
import { claimRequest } from './claim-request';
import { readRequest } from './read-request';
import { REQUESTS_TABLE } from './request';
import { RequestExecutor, type RequestWork } from './request-executor';
import { submitRequest } from './submit-request';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** Claiming requests: rows that cannot run are failed with the reason, never claimed for ever. */
describe('claiming admin requests (real PostgreSQL)', () => {
  const db = useTestDatabase();
  const stops: (() => Promise<void>)[] = [];
  const session = async (): Promise<Client> => {
    const client = createClient({ connectionString: db().url, application_name: 'caravan-test-executor' });
    await client.connect();
    stops.push(() => client.end());
    return client;
  };
  const start = (work: RequestWork<'replay'>): RequestExecutor<'replay'> => {
    const executor = new RequestExecutor({
      kind: 'replay',
      pool: db().pool,
      connection: { connectionString: db().url },
      instance: 'test',
      pollMs: 20,
      pingMs: 1_000,
      work,
      logger: quiet,
    });
    stops.push(() => executor.stop());
    executor.start();
    return executor;
  };
  afterEach(async () => {
    await Promise.all(stops.splice(0).map((stop) => stop()));
    await db().pool.query(`DELETE FROM ${REQUESTS_TABLE}`);
  });

  it('fails a request after 5 claims, with the last reason, instead of claiming it again', async () => {
    const request = await submitRequest(db().pool, 'replay', { limit: 10 }, 'test');
    let runs = 0;
    start(() => {
      runs += 1;
      throw Object.assign(new Error('could not serialize access'), { code: '40001' });
    });
    const failed = await waitFor(
      async () => {
        const r = await readRequest(db().pool, 'replay', request.id);
        return r?.status === 'failed' ? r : undefined;
      },
      { timeoutMs: 10_000, what: 'the request given up' },
    );
    expect(failed).toMatchObject({
      attempt: 5,
      error: 'gave up after 5 claims: [40001] could not serialize access',
      finishedAt: expect.any(Date),
    });
    expect(runs).toBe(5);
  });

  it('fails a row whose arguments do not parse, with the reason, and claims the next one', async () => {
    await db().pool.query(
      `INSERT INTO ${REQUESTS_TABLE} (id, kind, arguments, requested_by, requested_at)
       VALUES ('00000000-0000-4000-8000-000000000001', 'replay', '{"limit": "ten"}', 'test', now() - interval '1 s')`,
    );
    const good = await submitRequest(db().pool, 'replay', { limit: 10 }, 'test');
    const claimed = await claimRequest(await session(), 'replay', 'test');
    expect(claimed).toMatchObject({ id: good.id, attempt: 1 });
    const { rows } = await db().pool.query<{ status: string; error: string }>(
      `SELECT status, error FROM ${REQUESTS_TABLE} WHERE id = '00000000-0000-4000-8000-000000000001'`,
    );
    expect(rows).toEqual([{ status: 'failed', error: expect.stringMatching(/^unparsable request: .*limit/s) }]);
    // Nor is it claimed again, by anybody.
    expect(await claimRequest(await session(), 'replay', 'test')).toBeUndefined();
  });

  it('claims nothing once stop() began, though its session connected meanwhile', async () => {
    const request = await submitRequest(db().pool, 'replay', { limit: 10 }, 'test');
    let runs = 0;
    const executor = start(() => {
      runs += 1;
      return Promise.resolve({ result: null, progress: 0 });
    });
    // Called while the loop connects its session: nothing may be claimed after this.
    await executor.stop();
    expect(runs).toBe(0);
    expect(await readRequest(db().pool, 'replay', request.id)).toMatchObject({ status: 'requested', attempt: 0 });
  });
});
