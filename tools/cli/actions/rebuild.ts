import type { Pool } from 'pg';
import type { CaravanConfig } from '@caravan/config';
import { countEvents } from '@caravan/event-store';
import { PROJECTIONS, type Projection, rebuildProjection } from '@caravan/projections';
import { type RebuildReport, submitRequest } from '@caravan/requests';
import type { RebuildOptions } from '../commands/rebuild';
import { CliError } from '../support/cli-error';
import { cliContext } from '../support/context';
import { withDatabase } from '../support/database-session';
import { type Progress, progressBar } from '../support/progress';
import { followRequest, requireExecutor } from '../support/requests';

/**
 * `caravan rebuild <projection|all>`: asks the projector to rebuild (shadow tables, differing
 * rows reported, swap unless --no-swap) and follows it; --here runs it in this process instead.
 */
export async function rebuild(name: string, options: RebuildOptions): Promise<void> {
  const selected = name === 'all' ? PROJECTIONS : PROJECTIONS.filter((p) => p.name === name);
  if (selected.length === 0)
    throw new CliError(`no projection ${name}; one of ${PROJECTIONS.map((p) => p.name).join(', ')}, all`, 2);
  const { config, log } = cliContext();
  await withDatabase(config, 'rebuild', async (pool) => {
    if (!options.here) await requireExecutor(pool, 'rebuild', `rebuild ${name}`);
    const stored = await countEvents(pool);
    let differing = 0;
    for (const projection of selected) {
      const started = Date.now();
      const bar = progressBar(projection.name.padEnd(14), stored, { quiet: options.quiet, unit: 'events' });
      const report = await (
        options.here
          ? rebuildHere(pool, config, projection, options, bar)
          : rebuildInProjector(pool, projection, options, bar)
      ).finally(() => bar.stop());
      differing += printReport(log, report, (Date.now() - started) / 1000);
    }
    log(`done: ${selected.length} projection(s), ${differing} differing rows${options.swap ? ' repaired' : ''}`);
  });
}

async function rebuildInProjector(
  pool: Pool,
  projection: Projection,
  options: RebuildOptions,
  bar: Progress,
): Promise<RebuildReport> {
  const request = await submitRequest(pool, 'rebuild', { projection: projection.name, swap: options.swap }, 'cli');
  let seen = 0;
  const done = await followRequest(pool, request, (r) => {
    bar.increment(r.progress - seen);
    seen = r.progress;
  });
  return done.result as RebuildReport;
}

function rebuildHere(
  pool: Pool,
  config: CaravanConfig,
  projection: Projection,
  options: RebuildOptions,
  bar: Progress,
): Promise<RebuildReport> {
  let seen = 0;
  return rebuildProjection(pool, projection, {
    timeZone: config.timeZone,
    batchSize: config.projector.batchSize,
    swap: options.swap,
    onProgress: (n) => {
      bar.increment(n - seen);
      seen = n;
    },
  });
}

/** The report's lines; the number of differing rows. */
function printReport(log: (line: string) => void, report: RebuildReport, seconds: number): number {
  let differing = 0;
  log(
    `${report.projection}: ${report.eventsReplayed} events replayed in ${seconds.toFixed(1)} s ` +
      `(${Math.round(report.eventsReplayed / Math.max(seconds, 0.001))} events/s)`,
  );
  for (const d of report.differences) {
    differing += d.differingRows;
    log(`  ${d.table}: ${d.differingRows} rows differed, e.g.`);
    for (const e of d.examples.slice(0, 5))
      log(`    live ${JSON.stringify(e.live)}  rebuilt ${JSON.stringify(e.rebuilt)}`);
  }
  log(
    `  ${report.differences.length === 0 ? 'rebuilt tables equal the live ones' : 'differences found'}; ` +
      `${report.swapped ? 'swapped in: the rebuilt tables are live' : 'not swapped (--no-swap)'}`,
  );
  if (report.setAside > 0)
    log(
      `  ${report.setAside} event(s) could not be applied by the rebuild either and stay set aside ` +
        '(npx caravan status lists them)',
    );
  return differing;
}
