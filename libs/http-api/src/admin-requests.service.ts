import { Inject, Injectable, InternalServerErrorException, NotFoundException } from '@nestjs/common';
import type { Pool } from 'pg';
import { PROJECTION_NAMES } from '@caravan/contract';
import { PG_POOL } from '@caravan/database';
import { replayOutcomes } from '@caravan/ingest';
import {
  type AdminRequest,
  isFinished,
  readRequest,
  type RebuildReport,
  type ReplayOutcome,
  type ReplayResult,
  runningExecutors,
  submitRequest,
  waitForRequest,
} from '@caravan/requests';

export type RebuildJob = {
  id: string;
  projection: string;
  status: AdminRequest['status'];
  requestedAt: string;
  /** When a projector took it (absent while requested). */
  startedAt?: string;
  finishedAt?: string;
  eventsReplayed: number;
  report?: RebuildReport;
  error?: string;
  /** The projector that runs it or ran it. */
  executedBy?: string;
};
export type ReplayJob = {
  id: string;
  status: AdminRequest['status'];
  requestedAt: string;
  startedAt?: string;
  finishedAt?: string;
  /** Rejections replayed so far. */
  replayed: number;
  /** Their outcomes so far (all of them once done). */
  outcomes: ReplayOutcome[];
  error?: string;
  executedBy?: string;
};
/** The answer to a replay not finished within the wait: where to follow it. */
export type ReplayAccepted = { id: string; status: AdminRequest['status']; statusUrl: string; message: string };

/** How long POST rebuild waits for a running projector to take the request (none runs: no wait; it answers the job either way). */
const REBUILD_CLAIM_WAIT_MS = 2_000;
/** How long POST replay waits for an ingestor to take the request, then for it to finish. */
const REPLAY_CLAIM_WAIT_MS = 5_000;
const REPLAY_WAIT_MS = 30_000;

/**
 * Rebuilds and replays, asked for and followed: the api records a request (admin_requests) and
 * the projector (rebuilds) or the ingestor (replays) executes it, so this read-only process never
 * writes a projection or the event store. Any api instance answers for any request.
 */
@Injectable()
export class AdminRequestsService {
  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /**
   * Asks for a rebuild; answers the job as it stands once a projector has taken it (running, or
   * already done or failed), else requested: after REBUILD_CLAIM_WAIT_MS, at once when none runs.
   */
  async startRebuild(name: string, swap = true): Promise<RebuildJob> {
    if (!(PROJECTION_NAMES as readonly string[]).includes(name))
      throw new NotFoundException(`projection: no projection ${name}; one of ${PROJECTION_NAMES.join(', ')}`);
    const request = await submitRequest(this.pool, 'rebuild', { projection: name, swap }, 'api');
    const seen = await waitForRequest(this.pool, 'rebuild', request.id, {
      until: (r) => r.status !== 'requested',
      timeoutMs: (await runningExecutors(this.pool, 'rebuild')).length > 0 ? REBUILD_CLAIM_WAIT_MS : 0,
      intervalMs: 50,
    });
    // As it stands: a rebuild that already ended says so (a failure with its error), never `running`.
    return rebuildJob(seen);
  }

  async rebuildStatus(id: string): Promise<RebuildJob> {
    const request = await readRequest(this.pool, 'rebuild', id);
    if (!request) throw new NotFoundException(`id: no rebuild ${id}`);
    return rebuildJob(request);
  }

  /**
   * Asks for a replay and waits for the ingestor to finish it: its outcomes, as before. When no
   * ingestor takes it within REPLAY_CLAIM_WAIT_MS (none runs: at once), or it is not finished
   * within REPLAY_WAIT_MS, the request stays (an ingestor executes it when it comes) and the
   * answer is where to follow it.
   */
  async replay(selection: {
    ids?: string[];
    code?: string;
    limit: number;
  }): Promise<{ outcomes: ReplayOutcome[] } | ReplayAccepted> {
    const request = await submitRequest(this.pool, 'replay', selection, 'api');
    const running = (await runningExecutors(this.pool, 'replay')).length > 0;
    const started = Date.now();
    let seen = await waitForRequest(this.pool, 'replay', request.id, {
      until: (r) => r.status !== 'requested',
      timeoutMs: running ? REPLAY_CLAIM_WAIT_MS : 0,
      intervalMs: 50,
    });
    if (seen.status !== 'requested')
      seen = await waitForRequest(this.pool, 'replay', request.id, {
        until: isFinished,
        timeoutMs: REPLAY_WAIT_MS - (Date.now() - started),
        intervalMs: 50,
      });
    if (seen.status === 'done') return { outcomes: replayJob(seen).outcomes };
    if (seen.status === 'failed') throw new InternalServerErrorException(`the replay failed: ${seen.error}`);
    return {
      id: seen.id,
      status: seen.status,
      statusUrl: `/v1/admin/replays/${seen.id}`,
      message:
        seen.status === 'requested'
          ? 'no ingestor has taken the replay yet (is one running?); it runs when one does'
          : `the replay is still running after ${REPLAY_WAIT_MS / 1000} s`,
    };
  }

  async replayStatus(id: string): Promise<ReplayJob> {
    const request = await readRequest(this.pool, 'replay', id);
    if (!request) throw new NotFoundException(`id: no replay ${id}`);
    // Until it is done its result holds where it stands, not its outcomes: those are its rows.
    return replayJob(request, request.status === 'done' ? undefined : await replayOutcomes(this.pool, id));
  }
}

const times = (r: AdminRequest) => ({
  requestedAt: r.requestedAt.toISOString(),
  ...(r.claimedAt ? { startedAt: r.claimedAt.toISOString() } : {}),
  ...(r.finishedAt ? { finishedAt: r.finishedAt.toISOString() } : {}),
});

function rebuildJob(r: AdminRequest<'rebuild'>): RebuildJob {
  return {
    id: r.id,
    projection: r.arguments.projection,
    status: r.status,
    ...times(r),
    eventsReplayed: r.progress,
    ...(r.status === 'done' ? { report: r.result as RebuildReport } : {}),
    ...(r.error ? { error: r.error } : {}),
    ...(r.claimedBy ? { executedBy: r.claimedBy } : {}),
  };
}

function replayJob(r: AdminRequest<'replay'>, outcomesSoFar?: ReplayOutcome[]): ReplayJob {
  return {
    id: r.id,
    status: r.status,
    ...times(r),
    replayed: r.progress,
    outcomes: outcomesSoFar ?? (r.result as ReplayResult | undefined)?.outcomes ?? [],
    ...(r.error ? { error: r.error } : {}),
    ...(r.claimedBy ? { executedBy: r.claimedBy } : {}),
  };
}
