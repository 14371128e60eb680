import { z } from 'zod';

/** The table of rebuild and replay requests (migration 0016). */
export const REQUESTS_TABLE = 'admin_requests';
/** NOTIFYed with a request's kind when one is asked for: its executors wake. */
export const REQUESTS_CHANNEL = 'caravan_requests';

export const REQUEST_KINDS = ['rebuild', 'replay'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];
export const REQUEST_STATUSES = ['requested', 'running', 'done', 'failed'] as const;
export type RequestStatus = (typeof REQUEST_STATUSES)[number];

/** Who executes each kind: the one writer of what it changes. */
export const EXECUTOR_OF: Record<RequestKind, 'projector' | 'ingestor'> = { rebuild: 'projector', replay: 'ingestor' };

export const rebuildArguments = z.strictObject({ projection: z.string(), swap: z.boolean() });
export type RebuildArguments = z.infer<typeof rebuildArguments>;
export const replayArguments = z.strictObject({
  ids: z.array(z.string()).optional(),
  code: z.string().optional(),
  limit: z.int().min(1),
});
export type ReplayArguments = z.infer<typeof replayArguments>;
export type ArgumentsOf<K extends RequestKind> = K extends 'rebuild' ? RebuildArguments : ReplayArguments;

export type AdminRequest<K extends RequestKind = RequestKind> = {
  id: string;
  kind: K;
  arguments: ArgumentsOf<K>;
  status: RequestStatus;
  /** Events replayed (rebuild) or rejections replayed (replay) so far. */
  progress: number;
  /** The rebuild's report, the replay's outcomes (so far, while it runs). */
  result: unknown;
  error: string | undefined;
  requestedBy: string;
  requestedAt: Date;
  claimedBy: string | undefined;
  claimedAt: Date | undefined;
  /** How many times it was claimed: more than 1 after a takeover. */
  attempt: number;
  updatedAt: Date;
  finishedAt: Date | undefined;
};

export const isFinished = (request: Pick<AdminRequest, 'status'>): boolean =>
  request.status === 'done' || request.status === 'failed';

/** Held (shared) by every running executor of a kind for its whole life: `advisoryLockHolders` shows who runs. */
export const executorLockName = (kind: RequestKind): string => `caravan-requests:${kind}`;
/** Held by the executor running the request: a request running whose lock nobody holds is taken over. */
export const requestLockName = (id: string): string => `caravan-request:${id}`;

export type RequestRow = {
  id: string;
  kind: RequestKind;
  arguments: unknown;
  status: RequestStatus;
  progress: string;
  result: unknown;
  error: string | null;
  requested_by: string;
  requested_at: Date;
  claimed_by: string | null;
  claimed_at: Date | null;
  attempt: number;
  updated_at: Date;
  finished_at: Date | null;
};

/** A row as read, its arguments parsed for its kind (they were written by requestRebuild or requestReplay). */
export function requestOf(row: RequestRow): AdminRequest {
  const args = row.kind === 'rebuild' ? rebuildArguments.parse(row.arguments) : replayArguments.parse(row.arguments);
  return {
    id: row.id,
    kind: row.kind,
    arguments: args,
    status: row.status,
    progress: Number(row.progress),
    result: row.result ?? undefined,
    error: row.error ?? undefined,
    requestedBy: row.requested_by,
    requestedAt: row.requested_at,
    claimedBy: row.claimed_by ?? undefined,
    claimedAt: row.claimed_at ?? undefined,
    attempt: row.attempt,
    updatedAt: row.updated_at,
    finishedAt: row.finished_at ?? undefined,
  } as AdminRequest;
}
