import { withDeadline } from '@caravan/observability';

export type CheckResult = { status: 'up' | 'down'; detail?: string };

/** A readiness check: what the app needs (`informational` ones only describe, e.g. how far projections lag). */
export type ReadinessEntry = { name: string; check: () => Promise<string | void>; informational?: boolean };

export const CHECK_TIMEOUT_MS = 3_000;

/**
 * Runs one check within `timeoutMs`; never throws. An informational check is never down: slow or
 * failing, it says its figure is unknown (a large backlog makes counting it slow; that is work, not an outage).
 */
export async function runCheck(
  entry: Pick<ReadinessEntry, 'check' | 'informational'>,
  timeoutMs = CHECK_TIMEOUT_MS,
): Promise<CheckResult> {
  try {
    const detail = await withDeadline(entry.check(), timeoutMs);
    return detail ? { status: 'up', detail } : { status: 'up' };
  } catch (error) {
    const reason = (error as Error).message;
    return entry.informational ? { status: 'up', detail: `unknown: ${reason}` } : { status: 'down', detail: reason };
  }
}
