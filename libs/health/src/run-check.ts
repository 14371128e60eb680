import { withDeadline } from '@caravan/observability';

export type CheckResult = { status: 'up' | 'down'; detail?: string };

/** A readiness check: resolves a detail (or nothing) when what the app needs answers, throws why not. */
export type ReadinessEntry = { name: string; check: () => Promise<string | void> };

export const CHECK_TIMEOUT_MS = 3_000;

/** Runs one check within `timeoutMs`; never throws: a check that fails or does not answer in time is down. */
export async function runCheck(
  entry: Pick<ReadinessEntry, 'check'>,
  timeoutMs = CHECK_TIMEOUT_MS,
): Promise<CheckResult> {
  try {
    const detail = await withDeadline(entry.check(), timeoutMs);
    return detail ? { status: 'up', detail } : { status: 'up' };
  } catch (error) {
    return { status: 'down', detail: (error as Error).message };
  }
}
