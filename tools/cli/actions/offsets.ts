import { partitionOffsets, type PartitionOffsetState, resetStoredOffset } from '@caravan/ingest';
import type { OffsetsResetOptions } from '../commands/offsets';
import { CliError } from '../support/cli-error';
import { cliContext } from '../support/context';
import { withDatabase } from '../support/database-session';
import { requireKafka } from '../support/kafka-session';

/** `caravan offsets list` (exit 3 when a stored offset lies beyond its log). */
export async function listOffsets(): Promise<void> {
  const { config, log } = cliContext();
  const states = await withStates(config, (s) => s);
  for (const s of states) log(describeState(s));
  const beyond = states.filter((s) => s.state === 'beyond-log-end');
  if (beyond.length > 0) {
    log(
      `${beyond.length} partition(s) paused: their stored offset lies beyond the log. Accept the ` +
        `log as it is now with \`caravan offsets reset <topic> <partition> --to earliest --yes\``,
    );
    process.exitCode = 3;
  }
}

/** `caravan offsets reset <topic> <partition>`. */
export async function resetOffset(topic: string, partition: number, options: OffsetsResetOptions): Promise<void> {
  const { config, log } = cliContext();
  const inbound = [config.topics.bookings, config.topics.arrivals, config.topics.media];
  if (!inbound.includes(topic)) throw new CliError(`${topic} is not an inbound topic (${inbound.join(', ')})`, 2);
  await withStates(config, async (states, pool) => {
    const state = states.find((s) => s.topic === topic && s.partition === partition);
    if (!state) throw new CliError(`${topic} has no partition ${partition}`, 2);
    const to = targetOffset(options.to, state);
    log(describeState(state));
    if (state.state !== 'beyond-log-end' && !options.force) {
      throw new CliError(
        `${topic}[${partition}]'s stored offset is ${state.stored ?? 'not set'}, within its log: ` +
          `nothing to accept. Moving it would skip or re-read records; add --force to do it anyway`,
      );
    }
    if (to < state.logStart || to > state.logEnd)
      throw new CliError(`offset ${to} lies outside the log [${state.logStart}, ${state.logEnd}]`, 2);
    const plan =
      `${topic}[${partition}]: stored offset ${state.stored ?? '(none)'} → ${to} ` +
      `(${to - state.logStart} offsets of the log before it are not ingested, ${state.logEnd - to} are)`;
    if (!options.yes) {
      log(`would move ${plan}; add --yes to do it`);
      process.exitCode = 2;
      return;
    }
    const done = await resetStoredOffset(pool, {
      group: config.ingest.groupId,
      topic,
      partition,
      to,
      logStart: state.logStart,
      logEnd: state.logEnd,
      reason: options.reason,
    });
    log(
      `moved ${topic}[${partition}] from ${done.from ?? '(none)'} to ${done.to}; a running ingestor ` +
        `resumes the partition there within seconds`,
    );
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
      return (
        `${where} stored ${s.stored}, ${log}: retention ` +
        `deleted ${s.logStart - (s.stored ?? 0n)} offsets before they were ingested`
      );
    case 'beyond-log-end':
      return (
        `${where} PAUSED: stored ${s.stored} lies ${(s.stored ?? 0n) - s.logEnd} beyond the ` +
        `log's end, ${log} (topic re-created or log truncated)`
      );
  }
}

async function withStates<T>(
  config: ReturnType<typeof cliContext>['config'],
  work: (states: PartitionOffsetState[], pool: Parameters<typeof resetStoredOffset>[0]) => Promise<T> | T,
): Promise<T> {
  const kafka = await requireKafka(config);
  const admin = kafka.admin();
  await admin.connect();
  try {
    return await withDatabase(config, 'offsets', async (pool) => {
      const states = await partitionOffsets(pool, admin, config.ingest.groupId, [
        config.topics.bookings,
        config.topics.arrivals,
        config.topics.media,
      ]);
      return work(states, pool);
    });
  } finally {
    await admin.disconnect();
  }
}
