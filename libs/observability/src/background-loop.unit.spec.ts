import { BackgroundLoop } from './background-loop';
import { loops } from './loops';

/** A run that waits until the spec lets it finish. */
function gatedRuns() {
  const gates: Array<() => void> = [];
  return {
    started: () => gates.length,
    run: () => new Promise<void>((resolve) => gates.push(resolve)),
    finish: (i: number) => gates[i]?.(),
  };
}

describe('BackgroundLoop', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('runs now and then every everyMs; wake-ups during a run make exactly one more run', async () => {
    const runs = gatedRuns();
    const loop = new BackgroundLoop({ run: runs.run, everyMs: 1_000 });
    loop.start();
    expect(runs.started()).toBe(1);
    loop.wake();
    loop.wake();
    loop.wake();
    runs.finish(0);
    await jest.advanceTimersByTimeAsync(0);
    expect(runs.started()).toBe(2);
    runs.finish(1);
    await jest.advanceTimersByTimeAsync(999);
    expect(runs.started()).toBe(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(runs.started()).toBe(3);
    runs.finish(2);
    await loop.stop();
  });

  it('waits what a run resolves instead of everyMs, and starts on the timer when told not to run now', async () => {
    let runs = 0;
    const loop = new BackgroundLoop({ run: async () => (runs++ === 0 ? 5_000 : undefined), everyMs: 100 });
    loop.start({ now: false });
    expect(runs).toBe(0);
    await jest.advanceTimersByTimeAsync(100);
    expect(runs).toBe(1);
    await jest.advanceTimersByTimeAsync(4_999);
    expect(runs).toBe(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(runs).toBe(2);
    await loop.stop();
  });

  it('stop clears the timer and waits for the run in flight; a stopped loop does not start', async () => {
    const runs = gatedRuns();
    const loop = new BackgroundLoop({ run: runs.run, everyMs: 10 });
    loop.start();
    loop.wake();
    let stopped = false;
    const stopping = loop.stop().then(() => (stopped = true));
    expect(loop.stopping).toBe(true);
    await jest.advanceTimersByTimeAsync(1_000);
    expect(stopped).toBe(false);
    runs.finish(0);
    await stopping;
    await jest.advanceTimersByTimeAsync(1_000);
    loop.wake();
    expect(runs.started()).toBe(1);
    const never = new BackgroundLoop({ run: runs.run });
    await never.stop();
    never.start();
    expect(runs.started()).toBe(1);
  });

  it('counts and reports a failed run, and the next tick runs again', async () => {
    const errors: unknown[] = [];
    let calls = 0;
    const loop = new BackgroundLoop({
      run: async () => {
        if (++calls === 1) throw new Error('PostgreSQL away');
      },
      everyMs: 50,
      health: { name: 'spec-loop', stalledAfterMs: 1_000 },
      onError: (error) => errors.push(error),
    });
    loop.start();
    await jest.advanceTimersByTimeAsync(0);
    expect(errors).toEqual([new Error('PostgreSQL away')]);
    expect(loops.reports().find((r) => r.loop === 'spec-loop')).toMatchObject({
      running: true,
      stalled: false,
      lastError: 'PostgreSQL away',
    });
    await jest.advanceTimersByTimeAsync(50);
    expect(calls).toBe(2);
    await loop.stop();
    expect(loops.reports().find((r) => r.loop === 'spec-loop')).toBeUndefined();
  });
});
