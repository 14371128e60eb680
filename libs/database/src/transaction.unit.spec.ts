import { Pool, type PoolClient } from 'pg';
import { withTransaction } from './transaction';

/** A client that records its statements and fails those `fails` names. */
function fakeClient(fails: string[] = []) {
  const statements: string[] = [];
  const release = jest.fn();
  const client = {
    query: async (sql: string) => {
      statements.push(sql);
      if (fails.includes(sql)) throw new Error(`${sql} failed`);
      return { rows: [] };
    },
    release,
  } as unknown as PoolClient;
  return { client, statements, release };
}

describe('withTransaction', () => {
  it('commits what resolves, on a held client, and leaves the client to its holder', async () => {
    const { client, statements, release } = fakeClient();
    await expect(withTransaction(client, async (c) => (await c.query('INSERT'), 3))).resolves.toBe(3);
    expect(statements).toEqual(['BEGIN', 'INSERT', 'COMMIT']);
    expect(release).not.toHaveBeenCalled();
  });

  it('rolls back what throws, or what commitIf refuses, with the begin statement given', async () => {
    const { client, statements } = fakeClient(['INSERT']);
    await expect(withTransaction(client, (c) => c.query('INSERT'))).rejects.toThrow('INSERT failed');
    await expect(
      withTransaction(
        client,
        async () => 0,
        'BEGIN READ ONLY',
        (n) => n > 0,
      ),
    ).resolves.toBe(0);
    expect(statements).toEqual(['BEGIN', 'INSERT', 'ROLLBACK', 'BEGIN READ ONLY', 'ROLLBACK']);
  });

  it('on a pool: releases the client, discarding it when its ROLLBACK fails, and throws the original error', async () => {
    const pool = new Pool();
    const healthy = fakeClient();
    const broken = fakeClient(['INSERT', 'ROLLBACK']);
    jest
      .spyOn(pool, 'connect')
      .mockImplementationOnce(async () => healthy.client)
      .mockImplementationOnce(async () => broken.client);
    await withTransaction(pool, (c) => c.query('INSERT'));
    expect(healthy.release).toHaveBeenCalledWith(undefined);
    await expect(withTransaction(pool, (c) => c.query('INSERT'))).rejects.toThrow('INSERT failed');
    expect(broken.release).toHaveBeenCalledWith(expect.objectContaining({ message: 'ROLLBACK failed' }));
    await pool.end();
  });
});
