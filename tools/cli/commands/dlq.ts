import { type Command, Option } from 'commander';
import { AdminService } from '@caravan/api';
import { REJECTION_CODES } from '@caravan/contract';
import { cliContext, numberOption } from '../support/context';
import { withDatabase } from '../support/database-session';

type ListOptions = { code?: string; from?: string; to?: string; dlq?: 'pending' | 'published' | 'refused'; limit: number; offset: number; values?: boolean };

/** `caravan dlq list|replay`: the rejected records, through the admin endpoints' own service. */
export function registerDlq(program: Command): void {
  const dlq = program.command('dlq').description('rejected records (kept in PostgreSQL and published to the DLQ topic): list and replay');
  dlq
    .command('list')
    .description('rejections, oldest first, with code, detail and source')
    .addOption(new Option('--code <code>', 'only this rejection code').choices(REJECTION_CODES))
    .option('--from <time>', 'rejected at or after (RFC 3339)')
    .option('--to <time>', 'rejected before (RFC 3339)')
    .addOption(new Option('--dlq <state>', 'only those pending for, published to, or refused by the DLQ topic').choices(['pending', 'published', 'refused']))
    .option('--limit <n>', 'at most', numberOption(1, 500), 50)
    .option('--offset <n>', 'skip', numberOption(0), 0)
    .option('--values', 'print each original record value too')
    .action(async (options: ListOptions) => {
      const { config, log } = cliContext();
      await withDatabase(config, 'dlq', async (pool) => {
        const page = await new AdminService(pool, config).rejections({ code: options.code as never, from: options.from, to: options.to, dlq: options.dlq, limit: options.limit, offset: options.offset });
        for (const r of page.items as Array<Record<string, unknown>>) {
          const state = r.resolvedAt ? `resolved (${String(r.resolution)})` : r.publishedToDlqAt ? 'in DLQ' : r.dlqRefusedAt ? `refused by the DLQ: ${String(r.dlqError)}` : 'pending DLQ';
          log(`#${String(r.id)} ${String(r.topic)}[${String(r.partition)}]@${String(r.offset)} ${String(r.code)} ${state}: ${String(r.detail).slice(0, 160)}`);
          if (options.values) log(`    ${Buffer.from(String(r.valueBase64 ?? ''), 'base64').toString('utf8').slice(0, 400)}`);
        }
        log(`${page.items.length} of ${page.total} rejection(s)${options.code ? ` with code ${options.code}` : ''}`);
      });
    });
  dlq
    .command('replay')
    .description('re-validate unresolved rejections against the current schemas and rates; accepted ones are appended and the counters stay balanced')
    .addOption(new Option('--code <code>', 'only this rejection code').choices(REJECTION_CODES))
    .option('--id <id...>', 'only these rejection ids')
    .option('--limit <n>', 'at most this many', numberOption(1, 10_000), 1_000)
    .action(async (options: { code?: string; id?: string[]; limit: number }) => {
      const { config, log } = cliContext();
      await withDatabase(config, 'dlq', async (pool) => {
        const { outcomes } = await new AdminService(pool, config).replay({ ids: options.id, code: options.code, limit: options.limit });
        const counts = new Map<string, number>();
        for (const o of outcomes) counts.set(o.outcome === 'rejected' ? `rejected again (${o.code})` : o.outcome, (counts.get(o.outcome === 'rejected' ? `rejected again (${o.code})` : o.outcome) ?? 0) + 1);
        log(`${outcomes.length} replayed: ${[...counts].map(([k, n]) => `${n} ${k}`).join(', ') || 'nothing to replay'}`);
      });
    });
}
