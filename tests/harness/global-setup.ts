import './register-paths';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '@caravan/config';
import { buildApps, stackDown, stackUp } from '@caravan/stack';
import { containerRuntimeAvailable, startContainers } from './containers';

type Teardown = () => Promise<void>;
const TEARDOWN = Symbol.for('caravan.test.teardown');
const log = (line: string): void => void process.stderr.write(`[test services] ${line}\n`);

/**
 * Provides real Kafka and PostgreSQL to the integration tests: containers where a Docker engine
 * answers (CARAVAN_TEST_SERVICES=containers|local|auto chooses), else the local stack at
 * KAFKA_BROKERS / DATABASE_URL, started here when it is not running and stopped afterwards.
 */
export default async function globalSetup(): Promise<void> {
  process.env.CARAVAN_TEST_RUN = randomBytes(4).toString('hex');
  // Some tests run the apps as processes (to kill them): they need a current build.
  buildApps();
  const mode = process.env.CARAVAN_TEST_SERVICES ?? 'auto';
  const useContainers = mode === 'containers' || (mode === 'auto' && (await containerRuntimeAvailable()));
  let teardown: Teardown;

  if (useContainers) {
    log('Docker engine found: starting Kafka and PostgreSQL containers');
    const services = await startContainers();
    process.env.KAFKA_BROKERS = services.kafkaBrokers;
    process.env.DATABASE_URL = services.databaseUrl;
    teardown = services.stop;
  } else {
    const config = loadConfig('tool');
    const { startedKafka } = await stackUp(config, log, { createDatabase: false });
    process.env.KAFKA_BROKERS = config.kafka.brokers.join(',');
    process.env.DATABASE_URL = config.database.url;
    teardown = async () => {
      if (startedKafka) await stackDown(config, log);
    };
    // Stop what we started even when the run is interrupted before global teardown.
    if (startedKafka) stopOnSignal(() => stackDown(config, log));
  }
  (globalThis as Record<symbol, Teardown>)[TEARDOWN] = teardown;
}

function stopOnSignal(stop: () => Promise<unknown>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void stop().finally(() => process.exit(130));
    });
  }
}
