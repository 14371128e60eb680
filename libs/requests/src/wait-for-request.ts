import type { Pool } from 'pg';
import { readRequest } from './read-request';
import type { AdminRequest, RequestKind } from './request';

export type WaitForRequestOptions<K extends RequestKind> = {
  /** Resolves with the request once this holds. */
  until: (request: AdminRequest<K>) => boolean;
  /** Resolves with the request as it stands when this long has passed. */
  timeoutMs: number;
  intervalMs?: number;
  /** Each reading (a progress bar follows it). */
  onRead?: (request: AdminRequest<K>) => void | Promise<void>;
};

/** Reads a request every `intervalMs` until `until` holds or `timeoutMs` passed; the last reading. */
export async function waitForRequest<K extends RequestKind>(
  pool: Pool,
  kind: K,
  id: string,
  options: WaitForRequestOptions<K>,
): Promise<AdminRequest<K>> {
  const deadline = Date.now() + options.timeoutMs;
  for (;;) {
    const request = await readRequest(pool, kind, id);
    if (!request) throw new Error(`request ${id} is gone`);
    await options.onRead?.(request);
    if (options.until(request) || Date.now() >= deadline) return request;
    await new Promise((resolve) => setTimeout(resolve, Math.min(options.intervalMs ?? 100, deadline - Date.now())));
  }
}
