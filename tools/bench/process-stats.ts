import { readdirSync, readFileSync } from 'node:fs';

const TICKS_PER_SECOND = 100;

/** CPU seconds (user + system) a process has used so far, from /proc (Linux); 0 once it has exited. */
export function cpuSeconds(pid: number): number {
  const fields = statFields(pid);
  return fields ? (Number(fields[11]) + Number(fields[12])) / TICKS_PER_SECOND : 0;
}

/** VmHWM: the peak resident memory of a process, in MiB. */
export function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
}

/** VmRSS: the resident memory of a process now, in whole MiB; 0 once it has exited. */
export function currentRssMb(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Math.round(Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024);
  } catch {
    return 0;
  }
}

/** The fields of /proc/<pid>/stat after the command name (in parentheses, it may hold spaces). */
function statFields(pid: number): string[] | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined; // exited meanwhile
  }
}

/**
 * CPU seconds used so far by every process whose command is `comm` (e.g. postgres, java) and by
 * their children already reaped (a closed connection's backend counts in the postmaster's).
 */
export function cpuSecondsOfAll(comm: string): number {
  let ticks = 0;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let name: string;
    try {
      name = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
    } catch {
      continue;
    }
    if (name !== comm) continue;
    const f = statFields(Number(entry));
    // utime, stime, and cutime, cstime (children waited for).
    if (f) ticks += Number(f[11]) + Number(f[12]) + Number(f[13]) + Number(f[14]);
  }
  return ticks / TICKS_PER_SECOND;
}

/** CPU seconds of each PostgreSQL server process now, by pid, with whose it is (an app's session, or a background process). */
export type PostgresProcesses = Map<number, { who: string; cpuSeconds: number }>;

/**
 * Each PostgreSQL process that pg_stat_activity lists: a client session by the app named in its
 * application_name (`caravan-<app>-<pid>`; anything else is "other sessions": the bench's own),
 * a server process by its backend_type (walwriter, checkpointer, autovacuum worker, …).
 */
export async function postgresProcesses(db: {
  query: <R extends object>(sql: string) => Promise<{ rows: R[] }>;
}): Promise<PostgresProcesses> {
  const { rows } = await db.query<{ pid: number; application_name: string | null; backend_type: string | null }>(
    'SELECT pid, application_name, backend_type FROM pg_stat_activity',
  );
  const processes: PostgresProcesses = new Map();
  for (const r of rows) {
    // caravan-<app>-<pid>, a projection's session caravan-projector-<pid>:<projection>.
    const named = /^caravan-(?:api-read-)?([a-z]+)-\d+(?::([a-z_]+))?$/.exec(r.application_name ?? '');
    const app = named ? `${named[1]}${named[2] ? ` (${named[2]})` : ''}` : undefined;
    const who = r.backend_type === 'client backend' ? (app ?? 'other sessions') : (r.backend_type ?? 'other');
    processes.set(r.pid, { who, cpuSeconds: cpuSeconds(r.pid) });
  }
  return processes;
}

/**
 * PostgreSQL's CPU between two readings, by whose it was: each process listed at the end less what
 * it had at the start (0 if it started meanwhile); `total` is every postgres process's
 * (cpuSecondsOfAll), and what is in no process listed at the end (sessions that ended meanwhile,
 * the postmaster) is "ended sessions, postmaster".
 */
export function postgresCpuByWho(
  before: PostgresProcesses,
  after: PostgresProcesses,
  total: number,
): Record<string, number> {
  const by: Record<string, number> = {};
  let attributed = 0;
  for (const [pid, p] of after) {
    const used = Math.max(0, p.cpuSeconds - (before.get(pid)?.cpuSeconds ?? 0));
    by[p.who] = (by[p.who] ?? 0) + used;
    attributed += used;
  }
  by['ended sessions, postmaster'] = Math.max(0, total - attributed);
  return by;
}
