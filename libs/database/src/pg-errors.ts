/**
 * What a failure of a PostgreSQL statement says about retrying it:
 * - `transient`: the connection, the server or a concurrent transaction got in the way (a lost
 *   connection, a restart or failover, a deadlock, a serialisation failure, a timeout, no
 *   resources): the same work succeeds later.
 * - `data`: the server refused a value (SQLSTATE classes 22, 23, 54: out of range, invalid
 *   text, constraint, program limit): the same work fails every time, and only the work whose
 *   data it is should be set aside.
 * - `fault`: anything else (a missing table, a permission, a defect): the same work fails every
 *   time, but so would any other: nothing should be set aside for it, it must be fixed.
 */
export type FailureKind = 'transient' | 'data' | 'fault';

const TRANSIENT_CLASSES = new Set(['08', '40', '53', '57', '58']);
const DATA_CLASSES = new Set(['22', '23', '54']);
// Not in a transient class, but cured by waiting: lock_not_available (lock_timeout), idle session timeout.
const TRANSIENT_STATES = new Set(['55P03', '57P05']);
// node-postgres and Node report a lost or refused connection without a SQLSTATE.
const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);
const CONNECTION_MESSAGES =
  /Connection terminated|connection error|not queryable|timeout exceeded when trying to connect|Client was closed|Cannot use a pool after calling end/i;

export function classifyPgError(error: unknown): FailureKind {
  const e = error as { code?: unknown; message?: unknown } | null | undefined;
  const code = typeof e?.code === 'string' ? e.code : undefined;
  if (code && /^[0-9A-Z]{5}$/.test(code)) {
    if (TRANSIENT_STATES.has(code) || TRANSIENT_CLASSES.has(code.slice(0, 2))) return 'transient';
    return DATA_CLASSES.has(code.slice(0, 2)) ? 'data' : 'fault';
  }
  if (code && CONNECTION_CODES.has(code)) return 'transient';
  return typeof e?.message === 'string' && CONNECTION_MESSAGES.test(e.message) ? 'transient' : 'fault';
}

/**
 * The server's reason in one line: SQLSTATE, message and detail (what an `unstorable` rejection or
 * a set-aside event carries).
 */
export function describePgError(error: unknown): string {
  const e = error as { code?: unknown; message?: unknown; detail?: unknown; where?: unknown } | null | undefined;
  const parts = [
    typeof e?.code === 'string' ? `[${e.code}]` : '',
    typeof e?.message === 'string' ? e.message : String(error),
  ];
  if (typeof e?.detail === 'string' && e.detail) parts.push(`(${e.detail})`);
  return parts.filter(Boolean).join(' ');
}
