import type { Command } from 'commander';
import { numberOption } from '../support/options';

export type OffsetsResetOptions = { to: string; yes?: boolean; force?: boolean; reason: string };

/** The implementation (Kafka, PostgreSQL), loaded when a command runs, not for --help. */
const implementation = (): typeof import('../actions/offsets') => require('../actions/offsets');

/**
 * `caravan offsets list|reset`: where ingest resumes in each partition, and the explicit way to
 * accept a log that went backwards.
 */
export function registerOffsets(program: Command): void {
  const offsets = program
    .command('offsets')
    .description("the ingestor's stored offsets against Kafka's logs; accept a re-created topic or truncated log");
  offsets
    .command('list')
    .description(
      'each inbound partition: the offset PostgreSQL resumes at, the log Kafka holds, and whether ' +
        'they disagree (exit 3 when one lies beyond its log)',
    )
    .action(async () => implementation().listOffsets());
  offsets
    .command('reset')
    .description(
      "move a partition's stored offset: to accept the log of a re-created topic or truncated log " +
        '(the ingestor resumes the paused partition there)',
    )
    .argument('<topic>', 'an inbound topic')
    .argument('<partition>', 'the partition', numberOption(0, 100_000))
    .requiredOption(
      '--to <offset>',
      'earliest (the first offset the log holds), latest (its end: skip what it holds) or an offset',
    )
    .option('--yes', 'do it (without it, only say what would change)')
    .option(
      '--force',
      'also for a partition whose stored offset lies within its log (records are then skipped or read twice)',
    )
    .option('--reason <text>', 'why, kept with the reset', 'accepted the log as it is now')
    .action(async (topic: string, partition: number, options: OffsetsResetOptions) =>
      implementation().resetOffset(topic, partition, options),
    );
}
