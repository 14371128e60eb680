import type { Command } from 'commander';
import { partitionOffsets, type PartitionOffsetState, resetStoredOffset } from '@caravan/ingest';
import { CliError } from '../support/cli-error';
import { cliContext, numberOption } from '../support/context';
import { withDatabase } from '../support/database-session';
import { requireKafka } from '../support/kafka-session';

/** `caravan offsets list|reset`: where ingest resumes in each partition, and the explicit way to accept a log that went backwards. */
export function registerOffsets(program: Command): void {
  const offsets = program.command('offsets').description("the ingestor's stored offsets against Kafka's logs; accept a re-created topic or truncated log");
  offsets
    .command('list')
    .description('each inbound partition: the offset PostgreSQL resumes at, the log Kafka holds, and whether they disagree (exit 3 when one lies beyond its log)')
    .action(async () => {
      const { config, log } = cliContext();
      const states = await withStates(config, (s) => s);
      for (const s of states) log(describeState(s));
      const beyond = states.filter((s) => s.state === 'beyond-log-end');
      if (beyond.length > 0) {
        log(`${beyond.length} partition(s) paused: their stored offset lies beyond the log. Accept the log as it is now with \`caravan offsets reset <topic> <partition> --to earliest --yes\``);
        process.exitCode = 3;
      }
    });
  offsets
    .command('reset')
    .description("move a partition's stored offset: to accept the log of a re-created topic or truncated log (the ingestor resumes the paused partition there)")
    .argument('<topic>', 'an inbound topic')
    .argument('<partition>', 'the partition', numberOption(0, 100_000))
    .requiredOption('--to <offset>', 'earliest (the first offset the log holds), latest (its end: skip what it holds) or an offset')
    .option('--yes', 'do it (without it, only say what would change)')
    .option('--force', 'also for a partition whose stored offset lies within its log (records are then skipped or read twice)')
    .option('--reason <text>', 'why, kept with the reset', 'accepted the log as it is now')
    .action(async (topic: string, partition: number, options: { to: string; yes?: boolean; force?: boolean; reason: string }) => {
      const { config, log } = cliContext();
      const inbound = [config.topics.bookings, config.topics.arrivals, config.topics.media];
      if (!inbound.includes(topic)) throw new CliError(`${topic} is not an inbound topic (${inbound.join(', ')})`, 2);
      await withStates(config, async (states, pool) => {
        const state = states.find((s) => s.topic === topic && s.partition === partition);
        if (!state) throw new CliError(`${topic} has no partition ${partition}`, 2);
        const to = targetOffset(options.to, state);
        log(describeState(state));
        if (state.state !== 'beyond-log-end' && !options.force) {
          throw new CliError(`${topic}[${partition}]'s stored offset is ${state.stored ?? 'not set'}, within its log: nothing to accept. Moving it would skip or re-read records; add --force to do it anyway`);
        }
        if (to < state.logStart || to > state.logEnd) throw new CliError(`offset ${to} lies outside the log [${state.logStart}, ${state.logEnd}]`, 2);
        const plan = `${topic}[${partition}]: stored offset ${state.stored ?? '(none)'} → ${to} (${to - state.logStart} offsets of the log before it are not ingested, ${state.logEnd - to} are)`;
        if (!options.yes) {
          log(`would move ${plan}; add --yes to do it`);
          process.exitCode = 2;
          return;
        }
        const done = await resetStoredOffset(pool, { group: config.ingest.groupId, topic, partition, to, logStart: state.logStart, logEnd: state.logEnd, reason: options.reason });
        log(`moved ${topic}[${partition}] from ${done.from ?? '(none)'} to ${done.to}; a running ingestor resumes the partition there within seconds`);
      });
    });
}

function targetOffset(to: string, state: PartitionOffsetState): bigint {
  if (to === 'earliest') return state.logStart;
  if (to === 'latest') return state.logEnd;
  if (/^\d{1,18}$/.test(to)) return BigInt(to);
  throw new CliError(`--to ${to}: expected earliest, latest or an offset`, 2);
}

function describeState(s: PartitionOffsetState): string {
  const where = `${s.topic}[${s.partition}]`.padEnd(28);
  const log = `log [${s.logStart}, ${s.logEnd})`;
  switch (s.state) {
    case 'not-started':
      return `${where} not ingested yet, ${log}`;
    case 'ok':
      return `${where} stored ${s.stored}, ${log}, lag ${s.logEnd - (s.stored ?? 0n)}`;
    case 'behind-log-start':
      return `${where} stored ${s.stored}, ${log}: retention deleted ${s.logStart - (s.stored ?? 0n)} offsets before they were ingested`;
    case 'beyond-log-end':
      return `${where} PAUSED: stored ${s.stored} lies ${(s.stored ?? 0n) - s.logEnd} beyond the log's end, ${log} (topic re-created or log truncated)`;
  }
}

async function withStates<T>(config: ReturnType<typeof cliContext>['config'], work: (states: PartitionOffsetState[], pool: Parameters<typeof resetStoredOffset>[0]) => Promise<T> | T): Promise<T> {
  const kafka = await requireKafka(config);
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await withDatabase(config, 'offsets', async (pool) => {
      const states = await partitionOffsets(pool, admin, config.ingest.groupId, [config.topics.bookings, config.topics.arrivals, config.topics.media]);
      return work(states, pool);
    });
  } finally {
    await admin.disconnect();
  }
}
