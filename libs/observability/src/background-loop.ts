import { type LoopHandle, loops } from './loops';

export type BackgroundLoopOptions = {
  /**
   * One run. It may resolve how long to wait before the next (a backoff, a stand-by; 0: at once),
   * instead of `everyMs`. A run that throws is counted and retried by the next tick of `everyMs`
   * (without a timer, by the next wake-up: such a run had better catch what it can retry).
   */
  run: () => Promise<number | void>;
  /** The timer: a run this long after the previous one started (none: only when woken, or as `run` says). */
  everyMs?: number;
  /** Declared in `loops` (liveness, caravan_loop_running) from start to stop, beating after each run. */
  health?: { name: string; stalledAfterMs: number };
  /** A run threw (after `loops` counted it): say so, once per spell of failures is best. */
  onError?: (error: unknown) => void;
};

/**
 * A background loop: runs now, or once more after the run in progress when woken during it (any
 * number of wake-ups: one more run), on a timer and on `wake()` (a NOTIFY, new work), never two
 * runs at once. `stop()` clears the timer and waits for the run in flight; a stopped loop stays
 * stopped.
 */
export class BackgroundLoop {
  private running: Promise<void> | undefined;
  private again = false;
  private timer: NodeJS.Timeout | undefined;
  private started = false;
  private stopped = false;
  private health: LoopHandle | undefined;

  constructor(private readonly options: BackgroundLoopOptions) {}

  /** Starts it: a first run now, or (`now: false`) on the first tick of the timer. */
  start({ now = true }: { now?: boolean } = {}): void {
    if (this.started || this.stopped) return;
    this.started = true;
    const { health } = this.options;
    if (health) this.health = loops.register(health.name, health.stalledAfterMs);
    if (now) this.wake();
    else this.schedule(this.options.everyMs, Date.now());
  }

  /** Runs now, or once more after the run in progress. */
  wake(): void {
    if (!this.started || this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    clearTimeout(this.timer);
    const startedAt = Date.now();
    this.running = this.runOnce().then((wait) => {
      this.running = undefined;
      if (this.stopped) return;
      if (this.again) {
        this.again = false;
        this.wake();
      } else this.schedule(wait, startedAt);
    });
  }

  /** Set once `stop()` was called: a long run checks it between its steps. */
  get stopping(): boolean {
    return this.stopped;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    if (this.health) loops.unregister(this.health.loop);
    await this.running;
  }

  private async runOnce(): Promise<number | undefined> {
    try {
      const wait = await this.options.run();
      this.health?.beat();
      return typeof wait === 'number' ? wait : this.options.everyMs;
    } catch (error) {
      this.health?.failed(error);
      this.health?.beat();
      try {
        this.options.onError?.(error);
      } catch {
        // A reporter that throws must not stop the loop (the run's error is counted already).
      }
      return this.options.everyMs;
    }
  }

  private schedule(wait: number | undefined, from: number): void {
    if (wait === undefined) return;
    this.timer = setTimeout(() => this.wake(), Math.max(0, from + wait - Date.now()));
    this.timer.unref();
  }
}
