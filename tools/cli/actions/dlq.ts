import type { Pool } from 'pg';
import { AdminService } from '@caravan/http-api';
import { CurrencyRateValidity, replayRejections as replay } from '@caravan/ingest';
import { type ReplayArguments, type ReplayOutcome, type ReplayResult, submitRequest } from '@caravan/requests';
import type { DlqListOptions, DlqReplayOptions } from '../commands/dlq';
import { cliContext } from '../support/context';
import { withDatabase } from '../support/database-session';
import { progressBar } from '../support/progress';
import { followRequest, requireExecutor } from '../support/requests';

/** `caravan dlq list`. */
export async function listRejections(options: DlqListOptions): Promise<void> {
  const { config, log } = cliContext();
  await withDatabase(config, 'dlq', async (pool) => {
    const page = await new AdminService(pool, config).rejections({
      code: options.code as never,
      from: options.from,
      to: options.to,
      dlq: options.dlq,
      limit: options.limit,
      offset: options.offset,
    });
    for (const r of page.items as Array<Record<string, unknown>>) {
      const state = r.resolvedAt
        ? `resolved (${String(r.resolution)})`
        : r.publishedToDlqAt
          ? 'in DLQ'
          : r.dlqRefusedAt
            ? `refused by the DLQ: ${String(r.dlqError)}`
            : 'pending DLQ';
      log(
        `#${String(r.id)} ${String(r.topic)}[${String(r.partition)}]` +
          `@${String(r.offset)} ${String(r.code)} ${state}: ${String(r.detail).slice(0, 160)}`,
      );
      if (options.values)
        log(
          `    ${Buffer.from(String(r.valueBase64 ?? ''), 'base64')
            .toString('utf8')
            .slice(0, 400)}`,
        );
    }
    log(`${page.items.length} of ${page.total} rejection(s)${options.code ? ` with code ${options.code}` : ''}`);
  });
}

/** `caravan dlq replay`: asks the ingestor to replay and follows it; --here replays in this process instead. */
export async function replayRejections(options: DlqReplayOptions): Promise<void> {
  const { config, log } = cliContext();
  await withDatabase(config, 'dlq', async (pool) => {
    const selection = { ids: options.id, code: options.code, limit: options.limit };
    const outcomes = options.here
      ? await replayHere(pool, selection)
      : await replayInIngestor(pool, selection, options);
    const counts = new Map<string, number>();
    for (const o of outcomes) {
      const key = o.outcome === 'rejected' ? `rejected again (${o.code})` : o.outcome;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    log(`${outcomes.length} replayed: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ') || 'nothing to replay'}`);
  });
}

async function replayInIngestor(
  pool: Pool,
  selection: ReplayArguments,
  options: DlqReplayOptions,
): Promise<ReplayOutcome[]> {
  await requireExecutor(pool, 'replay', 'dlq replay');
  const request = await submitRequest(pool, 'replay', selection, 'cli');
  const bar = progressBar('replay'.padEnd(14), undefined, { quiet: options.quiet, unit: 'rejections' });
  let seen = 0;
  const done = await followRequest(pool, request, (r) => {
    bar.increment(r.progress - seen);
    seen = r.progress;
  }).finally(() => bar.stop());
  return (done.result as ReplayResult).outcomes;
}

async function replayHere(pool: Pool, selection: ReplayArguments): Promise<ReplayOutcome[]> {
  const rates = new CurrencyRateValidity(pool);
  await rates.refresh();
  return replay(pool, selection, rates.hasRate);
}
