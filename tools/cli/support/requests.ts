import type { Pool } from 'pg';
import {
  type AdminRequest,
  EXECUTOR_OF,
  isFinished,
  type RequestKind,
  runningExecutors,
  waitForRequest,
} from '@caravan/requests';
import { CliError } from './cli-error';

/** Without a running executor of `kind` the request would wait forever: say so in one line. */
export async function requireExecutor(pool: Pool, kind: RequestKind, command: string): Promise<void> {
  if ((await runningExecutors(pool, kind)).length > 0) return;
  const app = EXECUTOR_OF[kind];
  throw new CliError(
    `no ${app} is running to execute the ${kind} (start the pipeline: npx caravan up), ` +
      `or run it in this process: caravan ${command} --here`,
  );
}

/** How long a request may go on with no executor of its kind running before the CLI gives up. */
const ORPHANED_MS = 5_000;
const CHECK_EVERY_MS = 1_000;

/**
 * Follows a request to its end (done: the request; failed: a CliError with the executor's reason),
 * `onRead` at each reading. Gives up, with one line, once no executor of its kind has run for
 * ORPHANED_MS: the request stays and is taken over when one starts.
 */
export async function followRequest<K extends RequestKind>(
  pool: Pool,
  request: AdminRequest<K>,
  onRead: (request: AdminRequest<K>) => void,
): Promise<AdminRequest<K>> {
  let alone: number | undefined;
  for (;;) {
    const seen = await waitForRequest(pool, request.kind, request.id, {
      until: isFinished,
      timeoutMs: CHECK_EVERY_MS,
      intervalMs: 200,
      onRead,
    });
    if (seen.status === 'done') return seen;
    if (seen.status === 'failed')
      throw new CliError(`${request.kind} ${request.id} failed in the ${EXECUTOR_OF[request.kind]}: ${seen.error}`);
    if ((await runningExecutors(pool, request.kind)).length > 0) alone = undefined;
    else if (alone === undefined) alone = Date.now();
    else if (Date.now() - alone >= ORPHANED_MS)
      throw new CliError(
        `no ${EXECUTOR_OF[request.kind]} is running any more: ${request.kind} ${request.id} stays ${seen.status} ` +
          `and is taken over when one starts`,
      );
  }
}
