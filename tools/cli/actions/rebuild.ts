import { countEvents } from '@caravan/event-store';
import { PROJECTIONS, rebuildProjection } from '@caravan/projections';
import type { RebuildOptions } from '../commands/rebuild';
import { CliError } from '../support/cli-error';
import { cliContext } from '../support/context';
import { withDatabase } from '../support/database-session';
import { progressBar } from '../support/progress';

/** `caravan rebuild <projection|all>`: rebuilds beside the live tables, reports differing rows, swaps them in unless --no-swap. */
export async function rebuild(name: string, options: RebuildOptions): Promise<void> {
  const selected = name === 'all' ? PROJECTIONS : PROJECTIONS.filter((p) => p.name === name);
  if (selected.length === 0)
    throw new CliError(`no projection ${name}; one of ${PROJECTIONS.map((p) => p.name).join(', ')}, all`, 2);
  const { config, log } = cliContext();
  await withDatabase(config, 'rebuild', async (pool) => {
    const stored = await countEvents(pool);
    let differing = 0;
    for (const projection of selected) {
      const started = Date.now();
      const bar = progressBar(projection.name.padEnd(14), stored, {
        quiet: options.quiet,
        unit: 'events',
      });
      let seen = 0;
      const report = await rebuildProjection(pool, projection, {
        timeZone: config.timeZone,
        batchSize: config.projector.batchSize,
        swap: options.swap,
        onProgress: (n) => {
          bar.increment(n - seen);
          seen = n;
        },
      }).finally(() => bar.stop());
      const seconds = (Date.now() - started) / 1000;
      log(
        `${projection.name}: ${report.eventsReplayed} events replayed in ${seconds.toFixed(1)} s (${Math.round(report.eventsReplayed / Math.max(seconds, 0.001))} events/s)`,
      );
      for (const d of report.differences) {
        differing += d.differingRows;
        log(`  ${d.table}: ${d.differingRows} rows differed, e.g.`);
        for (const e of d.examples.slice(0, 5))
          log(`    live ${JSON.stringify(e.live)}  rebuilt ${JSON.stringify(e.rebuilt)}`);
      }
      log(
        `  ${report.differences.length === 0 ? 'rebuilt tables equal the live ones' : 'differences found'}; ${report.swapped ? 'swapped in: the rebuilt tables are live' : 'not swapped (--no-swap)'}`,
      );
      if (report.setAside > 0)
        log(
          `  ${report.setAside} event(s) could not be applied by the rebuild either and stay set aside (npx caravan status lists them)`,
        );
    }
    log(`done: ${selected.length} projection(s), ${differing} differing rows${options.swap ? ' repaired' : ''}`);
  });
}
