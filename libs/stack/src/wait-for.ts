import { setTimeout as delay } from 'node:timers/promises';

export type WaitOptions = { timeoutMs?: number; intervalMs?: number; what?: string };

/**
 * Polls `probe` until it returns a value other than undefined/false, and returns that value; a
 * probe that throws counts as not yet. Fails after `timeoutMs` with the last error or value, so
 * nothing sleeps blindly. Where running out of time is an answer rather than a failure (stop
 * politely, then kill), catch it: `await waitFor(…).catch(() => false)`.
 */
export async function waitFor<T>(
  probe: () => T | Promise<T>,
  options: WaitOptions = {},
): Promise<Exclude<T, false | undefined>> {
  const { timeoutMs = 30_000, intervalMs = 50, what = 'condition' } = options;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await probe();
      if (value !== undefined && value !== false) return value as Exclude<T, false | undefined>;
      last = value;
    } catch (error) {
      last = error;
    }
    if (Date.now() >= deadline) {
      const detail = last instanceof Error ? last.message : JSON.stringify(last);
      throw new Error(`waitFor: ${what} not met within ${timeoutMs} ms (last: ${detail})`);
    }
    await delay(intervalMs);
  }
}
