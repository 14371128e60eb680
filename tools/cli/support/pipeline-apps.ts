import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { APP_NAMES, type AppName, type CaravanConfig, DEFAULT_HTTP_PORTS } from '@caravan/config';
import { createPool, ensureDatabase, migrate } from '@caravan/database';
import { type AppProcess, recordedApp, spawnApp, stackUp, stopProcess, waitUntil } from '@caravan/stack';
import { ensureBuilt } from './build';
import { CliError } from './cli-error';

export type RunningApp = AppProcess & { child?: ChildProcess; reused: boolean };
export type StartOptions = { root: string; detached: boolean; portBase: number; build: boolean; env: NodeJS.ProcessEnv; log: (line: string) => void };

const READY_TIMEOUT_MS = 90_000;

/** The port of each app: the defaults (api 3000, ingestor 3001, …) shifted to `portBase`. */
export const appPort = (app: AppName, portBase: number): number => portBase + DEFAULT_HTTP_PORTS[app] - DEFAULT_HTTP_PORTS.api;
export const appUrl = (config: CaravanConfig, port: number): string => `http://${config.http.host}:${port}`;

/** Brings up the stack, migrates, builds if needed, starts the four apps and waits until each is ready. */
export async function startPipeline(config: CaravanConfig, options: StartOptions): Promise<{ apps: RunningApp[]; startedKafka: boolean }> {
  const { startedKafka } = await stackUp(config, options.log);
  await ensureDatabase(config.database.url);
  const pool = createPool({ url: config.database.url, poolSize: 1, applicationName: 'caravan-cli' });
  await migrate(pool).finally(() => pool.end());
  if (options.build) ensureBuilt(options.root, options.log);

  const apps: RunningApp[] = [];
  for (const app of APP_NAMES) {
    const existing = options.detached ? recordedApp(config.stack.stateDir, app) : undefined;
    if (existing) {
      options.log(`${app} already running (pid ${existing.pid}, port ${existing.port})`);
      apps.push({ ...existing, reused: true });
      continue;
    }
    const { child, record } = spawnApp({ root: options.root, stateDir: config.stack.stateDir, app, port: appPort(app, options.portBase), env: options.env, detached: options.detached });
    apps.push({ ...record, child, reused: false });
  }
  try {
    for (const app of apps) await waitForReady(config, app);
  } catch (error) {
    await stopApps(apps.filter((a) => !a.reused));
    throw error;
  }
  return { apps, startedKafka };
}

async function waitForReady(config: CaravanConfig, app: RunningApp): Promise<void> {
  const url = `${appUrl(config, app.port)}/health/ready`;
  const exited = () => (app.child ? app.child.exitCode !== null || app.child.signalCode !== null : false);
  const ready = await waitUntil(async () => exited() || (await fetch(url).catch(() => undefined))?.status === 200, READY_TIMEOUT_MS, 250);
  if (ready && !exited()) return;
  const tail = existsSync(app.logFile) ? readFileSync(app.logFile, 'utf8').trim().split('\n').slice(-1)[0] : '';
  throw new CliError(`${app.app} ${exited() ? 'exited during start-up' : `not ready within ${READY_TIMEOUT_MS / 1000} s at ${url}`} (log ${app.logFile}${tail ? `: ${tail.slice(0, 300)}` : ''})`);
}

/** SIGTERM to every app (in parallel), SIGKILL after a grace period. */
export async function stopApps(apps: Array<Pick<AppProcess, 'pid'>>): Promise<void> {
  await Promise.all(apps.map((a) => stopProcess(a.pid)));
}
