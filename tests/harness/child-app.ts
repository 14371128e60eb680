import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { projectRoot } from '@caravan/config';
import { buildApps as buildAppsIn } from '@caravan/stack';

/** Builds dist/ once per test run, for tests that run the apps as real processes. */
export function buildApps(): void {
  buildAppsIn(projectRoot());
}

export type ChildApp = { process: ChildProcess; logFile: string; exited: Promise<number | null> };

/**
 * Starts an app from dist/ as a child process (so a test can SIGKILL it), its output in a log file;
 * `installed`: from an installed package's launcher (bin/caravan-app.js) instead, run in that folder.
 */
export function spawnApp(
  app: 'ingestor' | 'projector' | 'publisher' | 'api',
  env: Record<string, string>,
  options: { installed?: string } = {},
): ChildApp {
  const root = options.installed ?? projectRoot();
  const entry = options.installed
    ? join(root, 'bin', 'caravan-app.js')
    : join(root, 'dist', 'apps', app, 'src', 'main.js');
  if (!existsSync(entry)) throw new Error(`${entry} missing: the integration global setup builds it`);
  const logFile = join(
    tmpdir(),
    `caravan-${app}-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2, 8)}.log`,
  );
  const log = createWriteStream(logFile);
  // CARAVAN_APP_NODE_ARGS, e.g. `--cpu-prof --cpu-prof-dir=/tmp/prof`, to profile the apps of a run.
  const nodeArgs = (process.env.CARAVAN_APP_NODE_ARGS ?? '').split(/\s+/).filter(Boolean);
  const child = spawn(process.execPath, [...nodeArgs, entry, ...(options.installed ? [app] : [])], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { process: child, logFile, exited };
}

/** Stops a child app: SIGTERM (or the signal given), then waits for its exit. */
export async function stopApp(app: ChildApp, signal: NodeJS.Signals = 'SIGTERM'): Promise<void> {
  if (app.process.exitCode === null && app.process.signalCode === null) app.process.kill(signal);
  await app.exited;
}

/**
 * The child apps a test file starts: push them here and each is thawed (SIGCONT) and SIGKILLed
 * after every test (`each`) or after the file (`all`).
 */
export function useChildApps(scope: 'each' | 'all' = 'each'): ChildApp[] {
  const running: ChildApp[] = [];
  (scope === 'each' ? afterEach : afterAll)(async () => {
    for (const app of running) app.process.kill('SIGCONT');
    await Promise.all(running.splice(0).map((app) => stopApp(app, 'SIGKILL')));
  });
  return running;
}
