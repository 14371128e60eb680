import { Client, type ClientConfig, Pool, type PoolClient } from 'pg';

export type PoolOptions = { url: string; poolSize?: number; applicationName?: string; readOnly?: boolean };

/**
 * Swallows a connection's asynchronous `error` event. node-postgres emits it on a client whose
 * server goes away (a restart, a failover, pg_terminate_backend) while no query runs; without a
 * listener Node turns it into an uncaught exception that ends the process. The failure still
 * reaches whoever uses the connection next: their query rejects.
 */
const ignoreConnectionError = (): void => undefined;

export function createPool(options: PoolOptions): Pool {
  const pool = new Pool({
    connectionString: options.url,
    max: options.poolSize ?? 10,
    application_name: options.applicationName ?? 'caravan',
    connectionTimeoutMillis: 10_000,
    // Read-only sessions: PostgreSQL itself refuses any write on them.
    ...(options.readOnly ? { options: '-c default_transaction_read_only=on' } : {}),
  });
  // An idle client that loses its server must not crash the process; the next query reconnects.
  pool.on('error', ignoreConnectionError);
  // Nor may a checked-out one (the pool listens only while a client is idle): a projection runner
  // or a rebuild holds its client between queries for minutes.
  pool.on('connect', (client) => client.on('error', ignoreConnectionError));
  return pool;
}

/** A single connection (LISTEN, admin work on the `postgres` database) that never crashes the process on its own. */
export function createClient(config: ClientConfig): Client {
  const client = new Client(config);
  client.on('error', ignoreConnectionError);
  return client;
}

/** Runs `work` in one transaction on one checked-out client: ROLLBACK on error, release always. */
export async function withTransaction<T>(pool: Pool, work: (client: PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect();
  let broken: Error | undefined;
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (error) {
    // A client whose ROLLBACK fails is broken: released with the error, the pool discards it.
    await client.query('ROLLBACK').catch((e: Error) => (broken = e));
    throw error;
  } finally {
    client.release(broken);
  }
}
