import type { CaravanConfig } from '@caravan/config';
import { redactUrl } from '@caravan/database';
import { type BrokerOptions, brokerStatus, startBroker, stopBroker, type BrokerStatus } from './kafka-broker';
import { postgresStatus, preparePostgres, type PostgresStatus } from './postgres';

export type StackStatus = { kafka: BrokerStatus; postgres: PostgresStatus & { url: string } };
export type Log = (line: string) => void;

export function brokerOptions(config: CaravanConfig): BrokerOptions {
  const bootstrap = config.kafka.brokers[0];
  if (bootstrap === undefined) throw new Error('KAFKA_BROKERS is empty');
  return {
    stateDir: config.stack.stateDir,
    version: config.stack.kafkaVersion,
    heap: config.stack.kafkaHeap,
    bootstrap,
  };
}

/**
 * Brings up what is missing: the Kafka broker (unless one answers) and the Caravan database
 * (tests pass `createDatabase: false`: they make databases of their own and leave the server as found).
 */
export async function stackUp(
  config: CaravanConfig,
  log: Log,
  options: { createDatabase?: boolean } = {},
): Promise<{ startedKafka: boolean }> {
  await preparePostgres(config.database.url, log, { createDatabase: options.createDatabase ?? true });
  const { started } = await startBroker(brokerOptions(config), log);
  return { startedKafka: started };
}

/** Stops only what `stackUp` started: the local broker. PostgreSQL is a shared server and stays. */
export async function stackDown(config: CaravanConfig, log: Log): Promise<{ stoppedKafka: boolean }> {
  const { stopped } = await stopBroker(config.stack.stateDir, log);
  if (!stopped) log('Kafka: nothing of ours was running');
  return { stoppedKafka: stopped };
}

export async function stackStatus(config: CaravanConfig): Promise<StackStatus> {
  const [kafka, postgres] = await Promise.all([
    brokerStatus(brokerOptions(config)),
    postgresStatus(config.database.url),
  ]);
  return { kafka, postgres: { ...postgres, url: redactUrl(config.database.url) } };
}

/** A broker answers and PostgreSQL runs: what `stack status` and `caravan status` call up. */
export function stackIsUp(status: StackStatus): boolean {
  return status.kafka.state !== 'stopped' && status.postgres.state === 'running';
}

export function describeStatus(status: StackStatus): string[] {
  const k = status.kafka;
  const kafka =
    k.state === 'running'
      ? `kafka     running (pid ${k.pid}) at ${k.bootstrap}`
      : k.state === 'external'
        ? `kafka     answering at ${k.bootstrap} (not started by this stack)`
        : `kafka     stopped (${k.bootstrap})`;
  const p = status.postgres;
  const postgres =
    p.state === 'running'
      ? `postgres  running ${p.version} at ${p.url} (database ${p.database} ${p.exists ? 'present' : 'missing'})`
      : `postgres  unreachable at ${p.url}: ${p.error}`;
  return [kafka, postgres];
}
