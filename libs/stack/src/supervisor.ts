import type { ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { AppName } from '@caravan/config';
import { appLogFile, appRecord, type AppProcess, type ChildApp, spawnApp, stopProcess } from './app-processes';
import { isAlive, readCmdline } from './processes';

/** What the supervisor records of each app it keeps running (in .caravan/run/<app>.json, for `status` and `down`). */
export type SupervisedApp = AppProcess & {
  supervisorPid: number;
  restarts: number;
  lastExit?: { code: number | null; signal: string | null; at: string };
};

export type SupervisorOptions = {
  root: string;
  stateDir: string;
  apps: Array<{ app: AppName; port: number }>;
  env: NodeJS.ProcessEnv;
  log: (line: string) => void;
  /** First restart delay, doubled while restarts follow each other, up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /** An app that ran this long before it exited is restarted after the first delay again. */
  stableAfterMs?: number;
};

type Slot = {
  app: AppName;
  port: number;
  child?: ChildProcess;
  record?: SupervisedApp;
  restarts: number;
  failures: number;
  startedAt: number;
  timer?: NodeJS.Timeout;
};

const supervisorFile = (stateDir: string): string => join(resolve(stateDir), 'run', 'supervisor.json');
const runFile = (stateDir: string, app: AppName): string => join(resolve(stateDir), 'run', `${app}.json`);

/**
 * Keeps the apps of a single-host install running (what an orchestrator's restart policy does in
 * production): each app is a child process; one that exits, whatever the reason, is started again
 * after a backoff (1 s doubling to 30 s while it keeps failing, back to 1 s once it ran a minute),
 * each restart logged and counted in its run record. SIGTERM stops every app, then the supervisor.
 */
export class Supervisor {
  private readonly slots: Slot[];
  private stopping = false;

  constructor(private readonly options: SupervisorOptions) {
    this.slots = options.apps.map(({ app, port }) => ({ app, port, restarts: 0, failures: 0, startedAt: 0 }));
  }

  start(): void {
    mkdirSync(join(supervisorFile(this.options.stateDir), '..'), { recursive: true });
    const record = { pid: process.pid, startedAt: new Date().toISOString(), apps: this.slots.map((s) => s.app) };
    writeFileSync(supervisorFile(this.options.stateDir), `${JSON.stringify(record)}\n`);
    for (const slot of this.slots) this.launch(slot);
  }

  /** Stops every app (SIGTERM, SIGKILL after a grace period) and forgets the records. */
  async stop(): Promise<void> {
    this.stopping = true;
    for (const slot of this.slots) clearTimeout(slot.timer);
    await Promise.all(
      this.slots.map(async (slot) => (slot.child?.pid !== undefined ? stopProcess(slot.child.pid) : false)),
    );
    for (const slot of this.slots) rmSync(runFile(this.options.stateDir, slot.app), { force: true });
    rmSync(supervisorFile(this.options.stateDir), { force: true });
  }

  private launch(slot: Slot): void {
    if (this.stopping) return;
    let started: ChildApp;
    try {
      started = spawnApp(
        slot.app,
        { ...this.options.env, HTTP_PORT: String(slot.port) },
        { root: this.options.root, logFile: appLogFile(this.options.stateDir, slot.app) },
      );
    } catch (error) {
      this.options.log(`${slot.app}: could not start (${(error as Error).message})`);
      this.scheduleRestart(slot);
      return;
    }
    const child = started.process;
    slot.child = child;
    slot.startedAt = Date.now();
    slot.record = {
      ...appRecord(slot.app, started, slot.port),
      supervisorPid: process.pid,
      restarts: slot.restarts,
      ...(slot.record?.lastExit ? { lastExit: slot.record.lastExit } : {}),
    };
    this.write(slot);
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      const ranMs = Date.now() - slot.startedAt;
      if (slot.record) slot.record.lastExit = { code, signal, at: new Date().toISOString() };
      if (ranMs >= (this.options.stableAfterMs ?? 60_000)) slot.failures = 0;
      this.options.log(
        `${slot.app} (pid ${child.pid}) exited (${signal ?? `code ${code}`}) ` +
          `after ${Math.round(ranMs / 1000)} s: restarting`,
      );
      this.scheduleRestart(slot);
    });
  }

  private scheduleRestart(slot: Slot): void {
    if (this.stopping) return;
    const delay = Math.min(
      this.options.maxBackoffMs ?? 30_000,
      (this.options.backoffMs ?? 1_000) * 2 ** Math.min(slot.failures, 10),
    );
    slot.failures += 1;
    slot.restarts += 1;
    slot.timer = setTimeout(() => this.launch(slot), delay);
  }

  private write(slot: Slot): void {
    if (!slot.record) return;
    writeFileSync(runFile(this.options.stateDir, slot.app), `${JSON.stringify(slot.record)}\n`);
  }
}

/** The running supervisor of `stateDir`, if any (a recycled pid is not taken for it). */
export function runningSupervisor(stateDir: string): { pid: number; startedAt: string; apps: AppName[] } | undefined {
  const file = supervisorFile(stateDir);
  if (!existsSync(file)) return undefined;
  const record = JSON.parse(readFileSync(file, 'utf8')) as { pid: number; startedAt: string; apps: AppName[] };
  if (!isAlive(record.pid)) return undefined;
  const cmdline = readCmdline(record.pid);
  return cmdline === undefined || cmdline.includes('supervisor') ? record : undefined;
}

/** Stops the supervisor of `stateDir` (it stops its apps first); resolves whether one ran. */
export async function stopSupervisor(stateDir: string): Promise<boolean> {
  const running = runningSupervisor(stateDir);
  if (!running) return false;
  // Its grace period for the apps, then its own.
  await stopProcess(running.pid, 40_000);
  rmSync(supervisorFile(stateDir), { force: true });
  return true;
}
