import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AppName } from '@caravan/config';
import { buildDashboard } from './dashboard-build';
import { isAlive, readCmdline } from './processes';
import { waitFor } from './wait-for';

/** One app started by the CLI: enough to find, probe and stop it from another command. */
export type AppProcess = { app: AppName; pid: number; port: number; logFile: string; entry: string; startedAt: string };
export type AppSpawnOptions = {
  root: string;
  stateDir: string;
  app: AppName;
  port: number;
  env: NodeJS.ProcessEnv;
  detached: boolean;
};

const STOP_TIMEOUT_MS = 15_000;

export const appEntry = (root: string, app: AppName): string => join(root, 'dist', 'apps', app, 'src', 'main.js');
const runFile = (stateDir: string, app: AppName): string => join(resolve(stateDir), 'run', `${app}.json`);
export const appLogFile = (stateDir: string, app: AppName): string => join(resolve(stateDir), 'logs', `${app}.log`);

/**
 * Starts an app from dist/ with its output appended to .caravan/logs/<app>.log. Detached apps
 * outlive the command (`caravan up`) and are recorded in .caravan/run/<app>.json for `down`/`status`.
 */
export function spawnApp(options: AppSpawnOptions): { child: ChildProcess; record: AppProcess } {
  const entry = appEntry(options.root, options.app);
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build the apps first (npm run build)`);
  const logFile = appLogFile(options.stateDir, options.app);
  mkdirSync(join(logFile, '..'), { recursive: true });
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, [entry], {
    cwd: options.root,
    env: { ...options.env, HTTP_PORT: String(options.port) },
    detached: options.detached,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${options.app}`);
  const record: AppProcess = {
    app: options.app,
    pid: child.pid,
    port: options.port,
    logFile,
    entry,
    startedAt: new Date().toISOString(),
  };
  if (options.detached) {
    child.unref();
    mkdirSync(join(runFile(options.stateDir, options.app), '..'), { recursive: true });
    writeFileSync(runFile(options.stateDir, options.app), `${JSON.stringify(record)}\n`);
  }
  return { child, record };
}

/** The background app recorded for `app`, if its process still runs (a recycled pid is not taken for it). */
export function recordedApp(stateDir: string, app: AppName): AppProcess | undefined {
  const file = runFile(stateDir, app);
  if (!existsSync(file)) return undefined;
  const record = JSON.parse(readFileSync(file, 'utf8')) as AppProcess;
  if (!isAlive(record.pid)) return undefined;
  const cmdline = readCmdline(record.pid);
  return cmdline === undefined || cmdline.includes(record.entry) ? record : undefined;
}

/** Stops a process: SIGTERM, then SIGKILL after a grace period. Resolves whether it was running. */
export async function stopProcess(pid: number, timeoutMs = STOP_TIMEOUT_MS): Promise<boolean> {
  if (!isAlive(pid)) return false;
  process.kill(pid, 'SIGTERM');
  if (!(await waitFor(() => !isAlive(pid), { timeoutMs, intervalMs: 100 }).catch(() => false))) {
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), { timeoutMs: 5_000, intervalMs: 100 }).catch(() => false);
  }
  return true;
}

/** Stops the background app recorded for `app` and forgets it; resolves whether one ran. */
export async function stopRecordedApp(stateDir: string, app: AppName): Promise<boolean> {
  const record = recordedApp(stateDir, app);
  const stopped = record ? await stopProcess(record.pid) : false;
  rmSync(runFile(stateDir, app), { force: true });
  return stopped;
}

/**
 * `nest build` of every app into dist/ (they run from there: they need decorator metadata), then
 * the dashboard the api serves (dist/dashboard); throws with the output on failure.
 */
export function buildApps(root: string): void {
  const run = spawnSync(process.execPath, [join(root, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`nest build failed:\n${run.stdout}\n${run.stderr}`);
  buildDashboard(root);
}
