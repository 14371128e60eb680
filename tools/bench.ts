/** `npm run bench`: throughput figures measured side by side in one run (not a test). */
import { loadConfig } from '@caravan/config';
import { stackDown, stackUp } from '@caravan/stack';
import { benchIngest } from './bench/ingest-bench';
import { benchProjections } from './bench/projection-bench';

const log = (line: string): void => void process.stdout.write(`${line}\n`);

async function main(): Promise<void> {
  const records = Number(process.argv[2] ?? 50_000);
  const config = loadConfig('tool');
  const { startedKafka } = await stackUp(config, log, { createDatabase: false });
  try {
    log(`\ningest: ${records} mixed records (about 85% new events, 8% redeliveries, 6% invalid, 1% conflicts), 6 partitions per topic`);
    const results = await benchIngest(records, log);
    for (const r of results) {
      log(`  ${r.name.padEnd(40)} ${r.seconds.toFixed(2).padStart(7)} s  ${Math.round(r.perSecond).toString().padStart(7)} records/s` +
        (r.steadyPerSecond ? ` (${Math.round(r.steadyPerSecond)}/s after start-up)` : '') +
        (r.batches ? `  ${r.batches} batches (${Math.round(r.records / r.batches)} records/batch)` : '') + `  rss ${Math.round(r.rssMb)} MB`);
    }
    const [caravan, baseline] = results;
    if (caravan && baseline) log(`  ratio caravan/baseline (start-up included): ${(caravan.perSecond / baseline.perSecond).toFixed(1)}x`);
    log(`\nprojection catch-up: ${records} stored events of all types (PROJECTOR_BATCH_SIZE ${config.projector.batchSize})`);
    for (const r of await benchProjections(records, log)) {
      log(`  ${r.name.padEnd(42)} ${r.seconds.toFixed(2).padStart(7)} s  ${Math.round(r.perSecond).toString().padStart(8)} events/s  (${r.events} events read)`);
    }
  } finally {
    if (startedKafka) await stackDown(config, log);
  }
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error).stack}\n`);
    process.exit(1);
  },
);
