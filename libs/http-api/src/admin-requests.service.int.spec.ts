import { RequestExecutor, runningExecutors } from '@caravan/requests';
import { useTestDatabase, waitFor } from '../../../tests/harness';
import { AdminRequestsService } from './admin-requests.service';

const quiet = { log: () => undefined, warn: () => undefined, error: () => undefined };

/** What POST /v1/admin/projections/{name}/rebuild answers: the job as it stands, never rewritten. */
describe('asking for a rebuild through the api service (real PostgreSQL)', () => {
  const db = useTestDatabase();

  it('answers at once with the request when no projector runs', async () => {
    const started = Date.now();
    const job = await new AdminRequestsService(db().pool).startRebuild('watermark');
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(job).toMatchObject({ projection: 'watermark', status: 'requested', eventsReplayed: 0 });
    await db().pool.query('DELETE FROM admin_requests');
  });

  it('answers a rebuild that failed within the wait as failed, with its error (not as running)', async () => {
    const executor = new RequestExecutor({
      kind: 'rebuild',
      pool: db().pool,
      connection: { connectionString: db().url },
      instance: 'test',
      pollMs: 20,
      pingMs: 1_000,
      work: () => Promise.reject(new Error('no such table: watermark')),
      logger: quiet,
    });
    executor.start();
    try {
      await waitFor(async () => (await runningExecutors(db().pool, 'rebuild')).length > 0, { what: 'the executor up' });
      // The api may read the request in the moment it runs (claimed, not failed yet): then it says
      // running, rightly; it must not say so once it read the failure.
      let job = await new AdminRequestsService(db().pool).startRebuild('watermark');
      for (let i = 0; i < 5 && job.status === 'running'; i++)
        job = await new AdminRequestsService(db().pool).startRebuild('watermark');
      expect(job).toMatchObject({ status: 'failed', error: 'no such table: watermark', executedBy: 'test' });
    } finally {
      await executor.stop();
    }
  });
});
