import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import type { Pool } from 'pg';
import { APP_NAMES, type AppName, type CaravanConfig, DEFAULT_HTTP_PORTS } from '@caravan/config';
import { DATABASE_ROLES, type DatabaseRole } from '@caravan/database';
import {
  appLogFile,
  type AppProcess,
  appRecord,
  recordedApp,
  runningSupervisor,
  spawnApp,
  stackUp,
  stopProcess,
  stopSupervisor,
  waitFor,
} from '@caravan/stack';
import { join, resolve } from 'node:path';
import { ensureBuilt } from './build';
import { CliError } from './cli-error';
import { withDatabase } from './database-session';

export type RunningApp = AppProcess & { child?: ChildProcess; reused: boolean };
export type StartOptions = {
  root: string;
  detached: boolean;
  portBase: number;
  build: boolean;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
};

const READY_TIMEOUT_MS = 90_000;

/** The port of each app: the defaults (api 3000, ingestor 3001, …) shifted to `portBase`. */
export const appPort = (app: AppName, portBase: number): number =>
  portBase + DEFAULT_HTTP_PORTS[app] - DEFAULT_HTTP_PORTS.api;
export const appUrl = (config: CaravanConfig, port: number): string => `http://${config.http.host}:${port}`;

/** The runtime roles of migration 0018 and the URL variable through which each app (or the api's side) uses one. */
const LOCAL_ROLES: Array<[string, DatabaseRole]> = [
  ['INGESTOR_DATABASE_URL', DATABASE_ROLES.ingest],
  ['PROJECTOR_DATABASE_URL', DATABASE_ROLES.projector],
  ['PUBLISHER_DATABASE_URL', DATABASE_ROLES.publisher],
  ['API_DATABASE_URL', DATABASE_ROLES.api],
  ['API_ADMIN_DATABASE_URL', DATABASE_ROLES.admin],
];

/**
 * The local stack's apps as their least-privilege roles (docs/security.md), so that what runs here
 * is what runs in production: with one URL of a user that may (the local server's superuser), the
 * runtime roles may log in (the local server trusts 127.0.0.1: no password) and each app gets a URL
 * of its own, migrations staying with that user. Unchanged when CARAVAN_LOCAL_ROLES=false, when
 * the environment sets an app's URL already, or when the URL carries a password (a server that
 * wants one would refuse the roles).
 */
async function localRoleEnv(pool: Pool, config: CaravanConfig, options: StartOptions): Promise<NodeJS.ProcessEnv> {
  const url = new URL(config.database.url);
  if (!config.stack.localRoles || url.password !== '' || LOCAL_ROLES.some(([v]) => options.env[v])) return options.env;
  const { rows } = await pool.query<{ may: boolean }>(
    'SELECT rolsuper OR rolcreaterole AS may FROM pg_roles WHERE rolname = current_user',
  );
  if (!rows[0]?.may) {
    options.log(`the apps use ${url.username || 'DATABASE_URL'}'s connection (it may not let the roles log in)`);
    return options.env;
  }
  const env: NodeJS.ProcessEnv = { ...options.env };
  for (const [variable, role] of LOCAL_ROLES) {
    await allowLogin(pool, role);
    const own = new URL(url);
    own.username = role;
    env[variable] = own.toString();
  }
  options.log(`apps log in as their roles: ${LOCAL_ROLES.map(([, role]) => role).join(', ')}`);
  return env;
}

/**
 * Lets `role` log in, once: roles are the cluster's, and two stacks starting together (tests in
 * parallel) may both try; the one whose ALTER meets the other's ("tuple concurrently updated")
 * finds it done.
 */
async function allowLogin(pool: Pool, role: DatabaseRole): Promise<void> {
  const canLogin = async () =>
    (await pool.query<{ login: boolean }>('SELECT rolcanlogin AS login FROM pg_roles WHERE rolname = $1', [role]))
      .rows[0]?.login === true;
  if (await canLogin()) return;
  await pool.query(`ALTER ROLE ${role} LOGIN`).catch(async (error: unknown) => {
    if (!(await canLogin())) throw error;
  });
}

/** Brings up the stack, migrates, builds if needed, starts the four apps and waits until each is ready. */
export async function startPipeline(
  config: CaravanConfig,
  options: StartOptions,
): Promise<{ apps: RunningApp[]; startedKafka: boolean }> {
  const { startedKafka } = await stackUp(config, options.log);
  const env = await withDatabase(config, 'cli', (pool) => localRoleEnv(pool, config, options));
  options = { ...options, env };
  if (options.build) ensureBuilt(options.root, options.log);

  if (options.detached) return { apps: await superviseApps(config, options), startedKafka };
  const apps: RunningApp[] = [];
  for (const app of APP_NAMES) {
    const port = appPort(app, options.portBase);
    const child = spawnApp(
      app,
      { ...options.env, HTTP_PORT: String(port) },
      { root: options.root, logFile: appLogFile(config.stack.stateDir, app) },
    );
    apps.push({ ...appRecord(app, child, port), child: child.process, reused: false });
  }
  try {
    for (const app of apps) await waitForReady(config, app);
  } catch (error) {
    await stopApps(apps.filter((a) => !a.reused));
    throw error;
  }
  return { apps, startedKafka };
}

/**
 * `caravan up`: the apps under a supervisor of ours, detached (it outlives the command, restarts an
 * app that dies, `caravan down` stops it and them). Apps already running under one are reused.
 */
async function superviseApps(config: CaravanConfig, options: StartOptions): Promise<RunningApp[]> {
  const supervised = runningSupervisor(config.stack.stateDir);
  if (!supervised) {
    // Apps left running by an earlier `up` without a supervisor (or whose supervisor died) are stopped first.
    await stopApps(APP_NAMES.flatMap((app) => recordedApp(config.stack.stateDir, app) ?? []));
    const plan = {
      root: options.root,
      stateDir: config.stack.stateDir,
      apps: APP_NAMES.map((app) => ({ app, port: appPort(app, options.portBase) })),
    };
    const supervisor = spawnApp('supervisor', options.env, {
      root: options.root,
      logFile: join(resolve(config.stack.stateDir), 'logs', 'supervisor.log'),
      args: [JSON.stringify(plan)],
      detached: true,
    });
    options.log(`supervisor started (pid ${supervisor.pid}, log ${supervisor.logFile})`);
  } else {
    options.log(`supervisor already running (pid ${supervised.pid})`);
  }
  const apps: RunningApp[] = [];
  for (const app of APP_NAMES) {
    const record = await waitFor(() => recordedApp(config.stack.stateDir, app), {
      timeoutMs: READY_TIMEOUT_MS,
      intervalMs: 100,
    }).catch(() => undefined);
    if (!record) {
      await stopSupervisor(config.stack.stateDir);
      throw new CliError(
        `${app} was not started by the supervisor ` +
          `(log ${join(resolve(config.stack.stateDir), 'logs', 'supervisor.log')})`,
      );
    }
    apps.push({ ...record, reused: supervised !== undefined });
  }
  try {
    for (const app of apps) await waitForReady(config, app);
  } catch (error) {
    if (!supervised) await stopSupervisor(config.stack.stateDir);
    throw error;
  }
  // The records again: an app may have been restarted while the others started.
  return apps.map((a) => ({ ...(recordedApp(config.stack.stateDir, a.app) ?? a), reused: a.reused }));
}

async function waitForReady(config: CaravanConfig, app: RunningApp): Promise<void> {
  const url = `${appUrl(config, app.port)}/health/ready`;
  const exited = () => (app.child ? app.child.exitCode !== null || app.child.signalCode !== null : false);
  const ready = await waitFor(async () => exited() || (await fetch(url)).status === 200, {
    timeoutMs: READY_TIMEOUT_MS,
    intervalMs: 250,
  }).catch(() => false);
  if (ready && !exited()) return;
  const tail = existsSync(app.logFile) ? readFileSync(app.logFile, 'utf8').trim().split('\n').slice(-1)[0] : '';
  throw new CliError(
    `${app.app} ${exited() ? 'exited during start-up' : `not ready within ${READY_TIMEOUT_MS / 1000} s at ${url}`} ` +
      `(log ${app.logFile}${tail ? `: ${tail.slice(0, 300)}` : ''})`,
  );
}

/** SIGTERM to every app (in parallel), SIGKILL after a grace period. */
export async function stopApps(apps: Array<Pick<AppProcess, 'pid'>>): Promise<void> {
  await Promise.all(apps.map((a) => stopProcess(a.pid)));
}
