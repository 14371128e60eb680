import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { type AppName, inheritedEnvironment, projectRoot } from '@caravan/config';
import { buildDashboard } from './dashboard-build';
import { isAlive, readCmdline } from './processes';
import { waitFor } from './wait-for';

/** What a checkout or an installed package starts: an app of the pipeline, or `caravan up`'s supervisor. */
export type StartableApp = AppName | 'supervisor';

/** An app started as a child process, its stdout and stderr appended to `logFile`. */
export type ChildApp = {
  app: StartableApp;
  process: ChildProcess;
  pid: number;
  logFile: string;
  /** The script it runs: dist/apps/<app>/src/main.js, or an installed package's launcher. */
  entry: string;
  /** Its exit code (null when a signal ended it). */
  exited: Promise<number | null>;
};

export type SpawnAppOptions = {
  /** The checkout whose dist/ holds the app (by default this one). */
  root?: string;
  /** Instead, the folder of an installed package: its launcher (bin/caravan-app.js <app>) starts the app. */
  installed?: string;
  /** Where its output is appended (the folder is made); by default a new file in the temporary folder. */
  logFile?: string;
  /** Arguments after the script (the supervisor's plan). */
  args?: readonly string[];
  /** Outlives this process (`caravan up`'s supervisor). */
  detached?: boolean;
};

/** One app started by the CLI: enough to find, probe and stop it from another command. */
export type AppProcess = { app: AppName; pid: number; port: number; logFile: string; entry: string; startedAt: string };

const STOP_TIMEOUT_MS = 15_000;

export const appEntry = (root: string, app: StartableApp): string => join(root, 'dist', 'apps', app, 'src', 'main.js');
const runFile = (stateDir: string, app: AppName): string => join(resolve(stateDir), 'run', `${app}.json`);
export const appLogFile = (stateDir: string, app: AppName): string => join(resolve(stateDir), 'logs', `${app}.log`);

/**
 * Starts an app as a child process from dist/ (or an installed package), so that the CLI, the
 * supervisor, the tests and the tools can probe, signal and kill it. It gets `env` and, unless
 * `env` says otherwise, this process's PATH and HOME: nothing else of this process's environment.
 * CARAVAN_APP_NODE_ARGS (e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`) goes to Node.js, to profile the apps of a run.
 */
export function spawnApp(app: StartableApp, env: NodeJS.ProcessEnv, options: SpawnAppOptions = {}): ChildApp {
  const root = options.installed ?? options.root ?? projectRoot();
  const entry = options.installed ? join(root, 'bin', 'caravan-app.js') : appEntry(root, app);
  if (!existsSync(entry)) throw new Error(`${entry} is missing: build the apps first (npm run build)`);
  const logFile =
    options.logFile ??
    join(tmpdir(), `caravan-${app}-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.log`);
  mkdirSync(dirname(logFile), { recursive: true });
  const out = openSync(logFile, 'a');
  const inherited = inheritedEnvironment();
  const nodeArgs = (inherited.CARAVAN_APP_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const args = [...nodeArgs, entry, ...(options.installed ? [app] : []), ...(options.args ?? [])];
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { PATH: inherited.PATH ?? '', HOME: inherited.HOME ?? '', ...env },
    detached: options.detached ?? false,
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  if (child.pid === undefined) throw new Error(`could not start ${app}`);
  if (options.detached) child.unref();
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
  return { app, process: child, pid: child.pid, logFile, entry, exited };
}

/** Stops a child app: SIGTERM (or the signal given), then waits for its exit. */
export async function stopApp(app: ChildApp, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (app.process.exitCode === null && app.process.signalCode === null) app.process.kill(signal);
  await app.exited;
}

/** What `caravan status` and `down` know of an app the CLI started (.caravan/run/<app>.json). */
export function appRecord(app: AppName, child: ChildApp, port: number): AppProcess {
  return {
    app,
    pid: child.pid,
    port,
    logFile: child.logFile,
    entry: child.entry,
    startedAt: new Date().toISOString(),
  };
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
export function buildApps(root: string = projectRoot()): void {
  const run = spawnSync(process.execPath, [join(root, 'node_modules', '@nestjs', 'cli', 'bin', 'nest.js'), 'build'], {
    cwd: root,
    encoding: 'utf8',
  });
  if (run.status !== 0) throw new Error(`nest build failed:\n${run.stdout}\n${run.stderr}`);
  buildDashboard(root);
}
