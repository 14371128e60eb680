import type { Client, Pool } from 'pg';
import { saveProgress } from './claim-request';
import type { AdminRequest } from './request';

/** What a request's work writes as it goes, for its claim only (a takeover's writes win). */
export type RequestProgress = {
  /** Progress (and the result so far), written within PROGRESS_EVERY_MS, in order, never blocking the work. */
  report(progress: number, result?: unknown): void;
  /** The same, now, on `db` (a client inside the work's own transaction: both commit together). */
  save(db: Pick<Client, 'query'>, progress: number, result?: unknown): Promise<void>;
};

const PROGRESS_EVERY_MS = 250;

/**
 * The progress of claim `request`, written on `pool`; `alive` is told each time the work reports
 * (its executor's sign of life: a work that reports nothing for long shows as stalled).
 */
export function progressWriter(
  pool: Pool,
  request: Pick<AdminRequest, 'id' | 'attempt'>,
  alive: () => void,
): { progress: RequestProgress; written: () => Promise<void> } {
  let writes: Promise<void> = Promise.resolve();
  let lastWrite = 0;
  const progress: RequestProgress = {
    report: (n, result) => {
      alive();
      if (Date.now() - lastWrite < PROGRESS_EVERY_MS) return;
      lastWrite = Date.now();
      writes = writes.then(() => saveProgress(pool, request, n, result)).catch(() => undefined);
    },
    save: async (db, n, result) => {
      alive();
      await saveProgress(db as Client, request, n, result);
    },
  };
  return { progress, written: () => writes };
}
