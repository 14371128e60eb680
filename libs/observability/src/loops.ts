import { Counter, Gauge } from 'prom-client';
import { registry } from './metrics';

type LoopState = {
  running: boolean;
  /** An iteration (or, for a consumer, any sign of life) at least this often, or the loop counts as stalled. */
  stalledAfterMs: number;
  lastBeatAt: number;
  lastError: string | undefined;
  downReason: string | undefined;
};

export type LoopReport = {
  loop: string;
  running: boolean;
  stalled: boolean;
  lastBeatSecondsAgo: number;
  lastError?: string;
  downReason?: string;
};

const loopRunning = new Gauge({
  name: 'caravan_loop_running',
  help:
    'Whether a background loop of this process runs (1) or has stopped or stalled (0): ' +
    'the consumer, the dead-letter relay, …',
  labelNames: ['loop'],
  registers: [registry],
  collect() {
    for (const report of loops.reports()) this.set({ loop: report.loop }, report.running && !report.stalled ? 1 : 0);
  },
});
const loopRestarts = new Counter({
  name: 'caravan_loop_restarts_total',
  help: 'Background loops restarted after they stopped (a crashed consumer, …)',
  labelNames: ['loop'],
  registers: [registry],
});
const loopErrors = new Counter({
  name: 'caravan_loop_errors_total',
  help: 'Failed iterations of background loops (each retried)',
  labelNames: ['loop'],
  registers: [registry],
});

/**
 * The background loops of this process and whether each still does its job: a loop that has
 * stopped, or whose last sign of life is older than it promised, fails the app's liveness and
 * shows as 0 in `caravan_loop_running`. Nothing may stop silently.
 */
export class Loops {
  private readonly states = new Map<string, LoopState>();

  /**
   * Declares a loop (running from now on); `stalledAfterMs` is how long it may go without `beat()`.
   * A second loop of the same name in the process (tests run two ingestors) is named `name#2`.
   */
  register(name: string, stalledAfterMs: number): LoopHandle {
    let loop = name;
    for (let n = 2; this.states.has(loop); n++) loop = `${name}#${n}`;
    this.states.set(loop, {
      running: true,
      stalledAfterMs,
      lastBeatAt: Date.now(),
      lastError: undefined,
      downReason: undefined,
    });
    loopRunning.set({ loop }, 1);
    loopRestarts.inc({ loop }, 0);
    loopErrors.inc({ loop }, 0);
    return new LoopHandle(this, loop);
  }

  /** Forgets a loop that was stopped on purpose (shutdown). */
  unregister(loop: string): void {
    this.states.delete(loop);
    loopRunning.remove({ loop });
  }

  state(loop: string): LoopState | undefined {
    return this.states.get(loop);
  }

  reports(now = Date.now()): LoopReport[] {
    return [...this.states].map(([loop, s]) => ({
      loop,
      running: s.running,
      stalled: s.running && now - s.lastBeatAt > s.stalledAfterMs,
      lastBeatSecondsAgo: Math.round((now - s.lastBeatAt) / 1000),
      ...(s.lastError ? { lastError: s.lastError } : {}),
      ...(s.downReason ? { downReason: s.downReason } : {}),
    }));
  }

  /** The loops that do not do their job now, with why: what liveness reports. */
  failing(now = Date.now()): LoopReport[] {
    return this.reports(now).filter((r) => !r.running || r.stalled);
  }

  countRestart(loop: string): void {
    loopRestarts.inc({ loop });
  }

  countError(loop: string): void {
    loopErrors.inc({ loop });
  }
}

/** What a loop tells about itself. */
export class LoopHandle {
  constructor(
    private readonly loops: Loops,
    readonly loop: string,
  ) {}

  /** An iteration ran (or the consumer showed a sign of life). */
  beat(): void {
    const s = this.loops.state(this.loop);
    if (s) s.lastBeatAt = Date.now();
  }

  /** An iteration failed; the loop goes on (and retries). */
  failed(error: unknown): void {
    const s = this.loops.state(this.loop);
    if (s) s.lastError = (error as Error)?.message ?? String(error);
    this.loops.countError(this.loop);
  }

  /** The loop stopped (crashed): until `up()`, liveness fails. */
  down(reason: string): void {
    const s = this.loops.state(this.loop);
    if (s) Object.assign(s, { running: false, downReason: reason });
  }

  /** The loop runs again; `restarted` counts it as a restart. */
  up(restarted = false): void {
    const s = this.loops.state(this.loop);
    if (s) Object.assign(s, { running: true, downReason: undefined, lastBeatAt: Date.now() });
    if (restarted) this.loops.countRestart(this.loop);
  }
}

/** The process's loops: one app per process, so one set (like the metrics registry). */
export const loops = new Loops();
