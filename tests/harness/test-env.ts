/** What global setup hands to the test workers, through their inherited environment. */
export type TestServices = { kafkaBrokers: string[]; databaseUrl: string; runId: string };

export function testServices(): TestServices {
  const brokers = process.env.KAFKA_BROKERS;
  const databaseUrl = process.env.DATABASE_URL;
  const runId = process.env.CARAVAN_TEST_RUN;
  if (!brokers || !databaseUrl || !runId) {
    throw new Error('integration tests need the services of tests/harness/global-setup.ts: run them with `npm test`');
  }
  return { kafkaBrokers: brokers.split(','), databaseUrl, runId };
}

/** The environment an app under test reads, pointed at the test services and a test database. */
export function appEnv(databaseUrl: string, extra: Record<string, string> = {}): Record<string, string> {
  const { kafkaBrokers } = testServices();
  return {
    NODE_ENV: 'test',
    DATABASE_URL: databaseUrl,
    KAFKA_BROKERS: kafkaBrokers.join(','),
    HTTP_PORT: '0',
    LOG_LEVEL: 'warn',
    ...extra,
  };
}
