import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { projectRoot } from '@caravan/config';
import { cpuSeconds as processCpuSeconds, peakRssMb as processPeakRssMb } from '../../process-stats';
import type { ChildMessage, ParentMessage } from './tutorial.protocol';
import type { TutorialSettings } from './tutorial.tokens';

export type Limits = {
  /** From spawn to the first handled message: node, tsx, Nest and the group join. */
  startupMs: number;
  /** Without one more handled message once they flow. */
  stallMs: number;
};

export const DEFAULT_LIMITS: Limits = { startupMs: 90_000, stallMs: 30_000 };

export type TutorialRun = {
  /** Spawn to the expected count handled, start-up included. */
  seconds: number;
  /** First handled message to the last. */
  steadySeconds: number | undefined;
  cpuSeconds: number;
  peakRssMb: number;
  closed: Extract<ChildMessage, { kind: 'closed' }>;
};

/**
 * Runs tutorial-main.ts under tsx as its own process (so CPU and peak RSS are the service's alone)
 * until it has handled `expectedRecords` messages, reads its CPU and VmHWM, then stops it.
 */
export async function runTutorialProcess(
  settings: TutorialSettings,
  limits: Limits = DEFAULT_LIMITS,
): Promise<TutorialRun> {
  const root = projectRoot();
  const logFile = join(tmpdir(), `caravan-tutorial-${process.pid}-${Date.now()}.log`);
  const log = createWriteStream(logFile);
  const start = performance.now();
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', join(__dirname, 'tutorial-main.ts'), JSON.stringify(settings)],
    {
      cwd: root,
      // Plain log lines, for the tail an error quotes.
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
    },
  );
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    const { firstAt, doneAt } = await untilDone(child, settings.expectedRecords, limits, logFile);
    // Read while the process still runs: its figures up to the last handled message.
    const cpuSeconds = processCpuSeconds(child.pid as number);
    const peakRssMb = processPeakRssMb(child.pid as number);
    const closed = await stop(child, logFile);
    await withTimeout(exited, 10_000, () => `the tutorial process did not exit after closing; log: ${logFile}`);
    // Kept only when something went wrong: every error names it.
    log.end(() => rmSync(logFile, { force: true }));
    return {
      seconds: (doneAt - start) / 1000,
      steadySeconds: firstAt !== undefined && doneAt > firstAt ? (doneAt - firstAt) / 1000 : undefined,
      cpuSeconds,
      peakRssMb,
      closed,
    };
  } finally {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGKILL');
      await exited;
    }
    if (!log.writableEnded) log.end();
  }
}

/** Resolves when the child reports the expected count; rejects on a stall, a failure or an early exit. */
function untilDone(
  child: ChildProcess,
  expected: number,
  limits: Limits,
  logFile: string,
): Promise<{ firstAt?: number; doneAt: number }> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    let firstAt: number | undefined;
    let handled = 0;
    let lastProgressAt = started;
    const finish = (outcome: () => void): void => {
      clearInterval(watchdog);
      child.off('message', onMessage);
      child.off('exit', onExit);
      outcome();
    };
    const onMessage = (message: ChildMessage): void => {
      const now = performance.now();
      if (message.kind === 'first') firstAt ??= now;
      if (message.kind === 'progress' && message.handled > handled) {
        handled = message.handled;
        lastProgressAt = now;
      }
      if (message.kind === 'done') finish(() => resolve({ firstAt, doneAt: now }));
      if (message.kind === 'failed')
        finish(() => reject(new Error(`the tutorial service failed to start: ${message.error}\nlog: ${logFile}`)));
    };
    const onExit = (code: number | null, signal: string | null): void =>
      finish(() =>
        reject(
          new Error(
            `the tutorial process exited (${signal ?? code}) after ${handled} of ${expected} ` +
              `records; log: ${logFile}\n${tail(logFile)}`,
          ),
        ),
      );
    const watchdog = setInterval(() => {
      const now = performance.now();
      const limit = firstAt === undefined ? limits.startupMs : limits.stallMs;
      if (now - lastProgressAt <= limit) return;
      const what = firstAt === undefined ? 'no message handled' : `stalled at ${handled} of ${expected} records`;
      finish(() =>
        reject(
          new Error(
            `tutorial peer: ${what}, nothing new for ${Math.round(limit / 1000)} s (are ` +
              `all ${expected} records on the topics?); log: ${logFile}\n${tail(logFile)}`,
          ),
        ),
      );
    }, 250);
    child.on('message', onMessage);
    child.once('exit', onExit);
  });
}

/** Asks the child to close the Nest app and report its counts. */
async function stop(child: ChildProcess, logFile: string): Promise<Extract<ChildMessage, { kind: 'closed' }>> {
  const closed = new Promise<Extract<ChildMessage, { kind: 'closed' }>>((resolve) => {
    const onMessage = (message: ChildMessage): void => {
      if (message.kind !== 'closed') return;
      child.off('message', onMessage);
      resolve(message);
    };
    child.on('message', onMessage);
  });
  child.send({ kind: 'stop' } satisfies ParentMessage);
  return withTimeout(closed, 30_000, () => `the tutorial service did not close within 30 s; log: ${logFile}`);
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: () => string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message())), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}
