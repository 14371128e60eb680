import { Client, type ClientConfig, Pool } from 'pg';

/**
 * What no session of Caravan may hold for longer (0 turns one off). A frozen process (SIGSTOP, a
 * VM pause) or a partitioned one keeps its session, its transaction and its locks until the
 * server ends them: these bound what it costs everyone else.
 * - statementTimeoutMs: one statement (`statement_timeout`).
 * - lockTimeoutMs: waiting for one lock (`lock_timeout`; advisory locks included): the waiter's
 *   statement fails as transient and is retried.
 * - idleTimeoutMs: a transaction left idle (`idle_in_transaction_session_timeout`: the session
 *   ends and its locks go); sessions that hold a lock between transactions (a projection's
 *   leader) set it as `idle_session_timeout` too.
 * - keepAliveSeconds: TCP keepalive on both ends, so a peer that vanished (a partition, a host
 *   gone) is noticed in about twice this time instead of the kernel's two hours.
 */
export type SessionLimits = {
  statementTimeoutMs: number;
  lockTimeoutMs: number;
  idleTimeoutMs: number;
  keepAliveSeconds: number;
};

export type PoolOptions = {
  url: string;
  poolSize?: number;
  applicationName?: string;
  readOnly?: boolean;
  limits?: SessionLimits;
};

/** The startup options and socket settings that put `limits` on every session of a client or pool. */
export function sessionSettings(
  limits: SessionLimits | undefined,
  readOnly = false,
): Pick<ClientConfig, 'options' | 'keepAlive' | 'keepAliveInitialDelayMillis'> {
  const settings: string[] = [];
  // Read-only sessions: PostgreSQL itself refuses any write on them.
  if (readOnly) settings.push('default_transaction_read_only=on');
  if (limits) {
    settings.push(
      `statement_timeout=${limits.statementTimeoutMs}`,
      `lock_timeout=${limits.lockTimeoutMs}`,
      `idle_in_transaction_session_timeout=${limits.idleTimeoutMs}`,
    );
    if (limits.keepAliveSeconds > 0) {
      const interval = Math.max(1, Math.ceil(limits.keepAliveSeconds / 3));
      // The server probes a silent client, and checks during long statements that it is still there.
      settings.push(
        `tcp_keepalives_idle=${limits.keepAliveSeconds}`,
        `tcp_keepalives_interval=${interval}`,
        'tcp_keepalives_count=3',
      );
      settings.push(`client_connection_check_interval=${limits.keepAliveSeconds * 1000}`);
    }
  }
  return {
    ...(settings.length > 0 ? { options: settings.map((s) => `-c ${s}`).join(' ') } : {}),
    ...(limits && limits.keepAliveSeconds > 0
      ? { keepAlive: true, keepAliveInitialDelayMillis: limits.keepAliveSeconds * 1000 }
      : {}),
  };
}

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
    ...sessionSettings(options.limits, options.readOnly),
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
