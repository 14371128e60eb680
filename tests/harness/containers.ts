import { GenericContainer, getContainerRuntimeClient, type StartedTestContainer, Wait } from 'testcontainers';
import { PostgreSqlContainer } from '@testcontainers/postgresql';
import { freePort } from '@caravan/stack';

export const KAFKA_IMAGE = 'apache/kafka:3.9.1';
export const POSTGRES_IMAGE = 'postgres:15-alpine';

/** True when a Docker (or compatible) engine answers; testcontainers rejects within ms otherwise. */
export async function containerRuntimeAvailable(timeoutMs = 10_000): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), timeoutMs);
  });
  try {
    return await Promise.race([
      getContainerRuntimeClient().then(
        () => true,
        () => false,
      ),
      timeout,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

export type StartedServices = { kafkaBrokers: string; databaseUrl: string; stop: () => Promise<void> };

/** Kafka (the same apache/kafka image as docker-compose.yml) and PostgreSQL, in containers. */
export async function startContainers(): Promise<StartedServices> {
  // The broker must advertise the address the host reaches it at, so the host port is chosen first.
  const kafkaPort = await freePort();
  const [kafka, postgres] = await Promise.all([
    new GenericContainer(KAFKA_IMAGE)
      .withExposedPorts({ container: 9092, host: kafkaPort })
      .withEnvironment({
        KAFKA_NODE_ID: '1',
        KAFKA_PROCESS_ROLES: 'broker,controller',
        KAFKA_LISTENERS: 'PLAINTEXT://:9092,CONTROLLER://:9093',
        KAFKA_ADVERTISED_LISTENERS: `PLAINTEXT://127.0.0.1:${kafkaPort}`,
        KAFKA_CONTROLLER_LISTENER_NAMES: 'CONTROLLER',
        KAFKA_LISTENER_SECURITY_PROTOCOL_MAP: 'CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
        KAFKA_CONTROLLER_QUORUM_VOTERS: '1@localhost:9093',
        KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR: '1',
        KAFKA_OFFSETS_TOPIC_NUM_PARTITIONS: '6',
        KAFKA_TRANSACTION_STATE_LOG_REPLICATION_FACTOR: '1',
        KAFKA_TRANSACTION_STATE_LOG_MIN_ISR: '1',
        KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS: '0',
      })
      .withWaitStrategy(Wait.forLogMessage(/Kafka Server started/))
      .withStartupTimeout(120_000)
      .start(),
    new PostgreSqlContainer(POSTGRES_IMAGE)
      .withUsername('postgres')
      .withPassword('postgres')
      .withDatabase('caravan')
      .start(),
  ]);
  return {
    kafkaBrokers: `127.0.0.1:${kafkaPort}`,
    databaseUrl: postgres.getConnectionUri(),
    stop: async () => {
      await Promise.all([stopQuietly(kafka), stopQuietly(postgres)]);
    },
  };
}

async function stopQuietly(container: StartedTestContainer): Promise<void> {
  await container.stop().catch(() => undefined);
}
