import './register-paths';
import { randomBytes } from 'node:crypto';
import { loadConfig, projectRoot } from '@caravan/config';
import { createClient, DATABASE_ROLES, withDatabase } from '@caravan/database';
import { buildApps, buildIsCurrent, stackDown, stackUp } from '@caravan/stack';
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
  // Some tests run the apps as processes (to kill them): they need a current build, which takes
  // minutes on a small machine, so none when dist/ is newer than everything it is built from.
  const root = projectRoot();
  if (buildIsCurrent(root)) log('dist/ is current: not building it again');
  else {
    log('building dist/ (nest build, the dashboard)');
    buildApps(root);
  }
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
  // The migrations create cluster-wide roles: teardown drops those this run made, once unused.
  process.env.CARAVAN_TEST_ROLES_BEFORE = (await existingRoles(process.env.DATABASE_URL as string)).join(',');
}

async function existingRoles(url: string): Promise<string[]> {
  const admin = createClient({ connectionString: withDatabase(url, 'postgres') });
  await admin.connect();
  try {
    const { rows } = await admin.query<{ rolname: string }>('SELECT rolname FROM pg_roles WHERE rolname = ANY($1)', [
      Object.values(DATABASE_ROLES),
    ]);
    return rows.map((r) => r.rolname);
  } finally {
    await admin.end();
  }
}

function stopOnSignal(stop: () => Promise<unknown>): void {
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void stop().finally(() => process.exit(130));
    });
  }
}
