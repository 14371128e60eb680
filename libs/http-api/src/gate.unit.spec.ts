import { Gate } from './gate';

describe('Gate', () => {
  it('lets at most `limit` run at once, the others in the order they came, and a failure frees its place', async () => {
    const gate = new Gate(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const releases: Array<() => void> = [];
    const work = (i: number) =>
      gate.run(async () => {
        started.push(i);
        running += 1;
        most = Math.max(most, running);
        await new Promise<void>((resolve) => releases.push(resolve));
        running -= 1;
        if (i === 0) throw new Error('boom');
        return i;
      });
    const results = Array.from({ length: 6 }, (_, i) => work(i).catch((e: Error) => e.message));
    await new Promise((r) => setImmediate(r));
    expect(started).toEqual([0, 1]);
    expect(gate.queued).toBe(4);
    // Release in turn until all have run.
    for (let released = 0; released < 6; released++) {
      releases[released]?.();
      await new Promise((r) => setImmediate(r));
    }
    expect(await Promise.all(results)).toEqual(['boom', 1, 2, 3, 4, 5]);
    expect(started).toEqual([0, 1, 2, 3, 4, 5]);
    expect(most).toBe(2);
    expect(gate.queued).toBe(0);
  });

  it('refuses a limit below one', () => {
    expect(() => new Gate(0)).toThrow(RangeError);
  });
});
