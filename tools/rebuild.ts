/** `npm run rebuild -- <projection> [--no-swap]`: rebuilds a projection beside the live one, reports differences, swaps. */
import { ConfigError, loadConfig } from '@caravan/config';
import { createPool, migrate } from '@caravan/database';
import { PROJECTIONS, rebuildProjection } from '@caravan/projections';

async function main(): Promise<number> {
  const name = process.argv[2];
  const projection = PROJECTIONS.find((p) => p.name === name);
  if (!projection) {
    process.stderr.write(`usage: npm run rebuild -- <${PROJECTIONS.map((p) => p.name).join('|')}> [--no-swap]\n`);
    return 2;
  }
  const config = loadConfig('tool');
  const pool = createPool({ url: config.database.url, poolSize: 2, applicationName: 'caravan-rebuild' });
  try {
    await migrate(pool);
    const started = Date.now();
    const report = await rebuildProjection(pool, projection, {
      timeZone: config.timeZone,
      batchSize: config.projector.batchSize,
      swap: !process.argv.includes('--no-swap'),
      log: (line) => process.stdout.write(`${line}\n`),
    });
    const seconds = (Date.now() - started) / 1000;
    process.stdout.write(`${report.eventsReplayed} events replayed in ${seconds.toFixed(1)} s (${Math.round(report.eventsReplayed / seconds)} events/s)\n`);
    if (report.differences.length === 0) process.stdout.write('rebuilt tables equal the live ones\n');
    for (const d of report.differences) {
      process.stdout.write(`${d.table}: ${d.differingRows} rows differ, e.g.\n`);
      for (const e of d.examples.slice(0, 5)) process.stdout.write(`  live ${JSON.stringify(e.live)}  rebuilt ${JSON.stringify(e.rebuilt)}\n`);
    }
    process.stdout.write(report.swapped ? 'swapped in: the rebuilt tables are live\n' : 'not swapped (--no-swap)\n');
    return 0;
  } finally {
    await pool.end();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`caravan rebuild: ${error instanceof ConfigError ? error.message : (error as Error).message}\n`);
    process.exit(1);
  },
);
