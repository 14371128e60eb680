import { AdminService } from '@caravan/api';
import type { DlqListOptions, DlqReplayOptions } from '../commands/dlq';
import { cliContext } from '../support/context';
import { withDatabase } from '../support/database-session';

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

/** `caravan dlq replay`. */
export async function replayRejections(options: DlqReplayOptions): Promise<void> {
  const { config, log } = cliContext();
  await withDatabase(config, 'dlq', async (pool) => {
    const { outcomes } = await new AdminService(pool, config).replay({
      ids: options.id,
      code: options.code,
      limit: options.limit,
    });
    const counts = new Map<string, number>();
    for (const o of outcomes)
      counts.set(
        o.outcome === 'rejected' ? `rejected again (${o.code})` : o.outcome,
        (counts.get(o.outcome === 'rejected' ? `rejected again (${o.code})` : o.outcome) ?? 0) + 1,
      );
    log(`${outcomes.length} replayed: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ') || 'nothing to replay'}`);
  });
}
