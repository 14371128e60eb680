import type { z } from 'zod';
import type { TopicNames } from '@caravan/contract';
import { type AppName, DEFAULT_HTTP_PORTS, type Env, envSchema, type KafkaCompression } from './config.schema';
import { databaseUrlWithTls, type HttpTls, httpTls, type KafkaConnection, kafkaSecurity } from './secure-connections';

export type CaravanConfig = {
  app: AppName | 'tool';
  nodeEnv: 'development' | 'test' | 'production';
  logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace';
  /** limits: on every session of the apps and the CLI (see SessionLimits in @caravan/database). */
  database: {
    url: string;
    poolSize: number;
    migrateOnStart: boolean;
    limits: { statementTimeoutMs: number; lockTimeoutMs: number; idleTimeoutMs: number; keepAliveSeconds: number };
  };
  /** compression: of the batches Caravan's own producers write (DLQ relay, snapshot publisher, simulator). */
  kafka: KafkaConnection & {
    clientId: string;
    topicPartitions: number;
    compression: KafkaCompression;
    sessionTimeoutMs: number;
  };
  topics: TopicNames;
  ingest: { groupId: string; concurrency: number; maxBytesPerPartition: number; dlqRelayIntervalMs: number };
  projector: { batchSize: number; idleMs: number; standbyMs: number };
  /** retentionDays: of the snapshot history (kpi_snapshots); 0 keeps it all. */
  publisher: { intervalMs: number; retentionDays: number };
  /** The API's connection (a read-only user where ops set one up); DATABASE_URL otherwise. */
  api: {
    databaseUrl: string | undefined;
    streamPollMs: number;
    heartbeatMs: number;
    maxStreams: number;
    /** The development/bootstrap token (token id `env`, every scope); named tokens live in PostgreSQL. */
    adminToken: string | undefined;
    /** Token bucket of each admin token (or client address) in this process: refilled per minute; 0: no limit. */
    adminRateLimitPerMinute: number;
  };
  /** tls: the app serves HTTPS itself; the timeouts are Node's server timeouts (docs/security.md). */
  http: {
    host: string;
    port: number;
    corsOrigins: string[];
    bodyLimitBytes: number;
    urlLimitBytes: number;
    tls: HttpTls | undefined;
    timeouts: { headersMs: number; requestMs: number; idleMs: number; keepAliveMs: number };
  };
  /** pipeline: /metrics carries the pipeline-wide figures (METRICS_PIPELINE; the api by default). */
  metrics: { pipeline: boolean };
  timeZone: string;
  stack: { stateDir: string; kafkaVersion: string; kafkaHeap: string; localRoles: boolean };
};

/** A configuration value that failed validation; the message names every bad variable. */
export class ConfigError extends Error {
  readonly retriable = false;
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((i) => `  - ${i}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

export type EnvSource = Record<string, string | undefined>;

/**
 * The environment as this process got it, to hand on unchanged to processes it starts (the
 * supervisor's apps parse it themselves); the one other place process.env is read.
 */
export function inheritedEnvironment(): EnvSource {
  return { ...process.env };
}

/** Parses the environment once; unset or empty variables take the local-stack defaults. */
export function loadConfig(app: AppName | 'tool', source: EnvSource = process.env): CaravanConfig {
  const known = Object.keys(envSchema.shape);
  const picked = Object.fromEntries(known.map((k) => [k, source[k] === '' ? undefined : source[k]]));
  const parsed = envSchema.safeParse(picked);
  if (!parsed.success) throw new ConfigError(describeIssues(parsed.error));
  const env = parsed.data;
  // A caught-up projection's leader queries every PROJECTOR_IDLE_MS; idle longer, its session ends.
  if (env.DATABASE_IDLE_TIMEOUT_MS > 0 && env.PROJECTOR_IDLE_MS * 2 > env.DATABASE_IDLE_TIMEOUT_MS) {
    throw new ConfigError([
      `PROJECTOR_IDLE_MS: at most half of DATABASE_IDLE_TIMEOUT_MS (${env.DATABASE_IDLE_TIMEOUT_MS})`,
    ]);
  }
  const issues: string[] = [];
  // TLS settings become part of the URLs (node-postgres reads them there); KAFKA_SSL*/SASL* are read and checked.
  const own = ownDatabaseUrl(app, env);
  const databaseUrl = databaseUrlWithTls(own?.variable ?? 'DATABASE_URL', own?.url ?? env.DATABASE_URL, env, issues);
  const apiDatabaseUrl =
    env.API_DATABASE_URL === undefined
      ? undefined
      : databaseUrlWithTls('API_DATABASE_URL', env.API_DATABASE_URL, env, issues);
  const security = kafkaSecurity(env, issues);
  const tls = httpTls(env, issues);
  // The api's public queries must not fall back to its admin connection (which may read rejected records).
  if (env.API_ADMIN_DATABASE_URL !== undefined && env.API_DATABASE_URL === undefined)
    issues.push(
      'API_DATABASE_URL: required with API_ADMIN_DATABASE_URL (the public queries use their own, read-only role)',
    );
  // A live stream writes a heartbeat this often: an idle timeout below it would cut every quiet stream.
  if (env.HTTP_IDLE_TIMEOUT_MS <= env.API_STREAM_HEARTBEAT_MS)
    issues.push(`HTTP_IDLE_TIMEOUT_MS: must exceed API_STREAM_HEARTBEAT_MS (${env.API_STREAM_HEARTBEAT_MS})`);
  if (env.HTTP_HEADERS_TIMEOUT_MS > env.HTTP_REQUEST_TIMEOUT_MS)
    issues.push(`HTTP_HEADERS_TIMEOUT_MS: at most HTTP_REQUEST_TIMEOUT_MS (${env.HTTP_REQUEST_TIMEOUT_MS})`);
  if (issues.length > 0) throw new ConfigError(issues);
  return {
    app,
    nodeEnv: env.NODE_ENV,
    logLevel: env.LOG_LEVEL,
    database: {
      url: databaseUrl,
      poolSize: env.DATABASE_POOL_SIZE,
      // An app with a URL of its own runs as a role that may not migrate: `caravan migrate` does.
      migrateOnStart: env.MIGRATE_ON_START ?? own === undefined,
      limits: {
        statementTimeoutMs: env.DATABASE_STATEMENT_TIMEOUT_MS,
        lockTimeoutMs: env.DATABASE_LOCK_TIMEOUT_MS,
        idleTimeoutMs: env.DATABASE_IDLE_TIMEOUT_MS,
        keepAliveSeconds: env.DATABASE_KEEPALIVE_SECONDS,
      },
    },
    kafka: {
      brokers: env.KAFKA_BROKERS,
      ...security,
      clientId: app === 'tool' ? env.KAFKA_CLIENT_ID : `${env.KAFKA_CLIENT_ID}-${app}`,
      topicPartitions: env.TOPIC_PARTITIONS,
      compression: env.KAFKA_COMPRESSION,
      sessionTimeoutMs: env.KAFKA_SESSION_TIMEOUT_MS,
    },
    topics: {
      bookings: env.TOPIC_BOOKINGS,
      arrivals: env.TOPIC_ARRIVALS,
      media: env.TOPIC_MEDIA,
      dlq: env.TOPIC_DLQ,
      snapshots: env.TOPIC_SNAPSHOTS,
    },
    ingest: {
      groupId: env.INGEST_GROUP_ID,
      concurrency: env.INGEST_CONCURRENCY,
      maxBytesPerPartition: env.INGEST_MAX_BYTES_PER_PARTITION,
      dlqRelayIntervalMs: env.DLQ_RELAY_INTERVAL_MS,
    },
    projector: {
      batchSize: env.PROJECTOR_BATCH_SIZE,
      idleMs: env.PROJECTOR_IDLE_MS,
      standbyMs: env.PROJECTOR_STANDBY_MS,
    },
    publisher: { intervalMs: env.SNAPSHOT_INTERVAL_MS, retentionDays: env.SNAPSHOT_RETENTION_DAYS },
    api: {
      databaseUrl: apiDatabaseUrl,
      streamPollMs: env.API_STREAM_POLL_MS,
      heartbeatMs: env.API_STREAM_HEARTBEAT_MS,
      maxStreams: env.API_STREAM_MAX_CLIENTS,
      adminToken: env.ADMIN_TOKEN,
      adminRateLimitPerMinute: env.ADMIN_RATE_LIMIT_PER_MINUTE,
    },
    http: {
      host: env.HTTP_HOST,
      port: env.HTTP_PORT ?? (app === 'tool' ? 0 : DEFAULT_HTTP_PORTS[app]),
      corsOrigins: env.CORS_ORIGINS,
      bodyLimitBytes: env.HTTP_BODY_LIMIT_BYTES,
      urlLimitBytes: env.HTTP_URL_LIMIT_BYTES,
      tls,
      timeouts: {
        headersMs: env.HTTP_HEADERS_TIMEOUT_MS,
        requestMs: env.HTTP_REQUEST_TIMEOUT_MS,
        idleMs: env.HTTP_IDLE_TIMEOUT_MS,
        keepAliveMs: env.HTTP_KEEP_ALIVE_TIMEOUT_MS,
      },
    },
    metrics: { pipeline: env.METRICS_PIPELINE ?? app === 'api' },
    timeZone: env.TIME_ZONE,
    stack: {
      stateDir: env.CARAVAN_STATE_DIR,
      kafkaVersion: env.KAFKA_VERSION,
      kafkaHeap: env.KAFKA_HEAP,
      localRoles: env.CARAVAN_LOCAL_ROLES,
    },
  };
}

/** The app's own connection variable and URL, when one is set (else it uses DATABASE_URL). */
function ownDatabaseUrl(app: AppName | 'tool', env: Env): { variable: string; url: string } | undefined {
  const variable = {
    ingestor: 'INGESTOR_DATABASE_URL',
    projector: 'PROJECTOR_DATABASE_URL',
    publisher: 'PUBLISHER_DATABASE_URL',
    api: 'API_ADMIN_DATABASE_URL',
    tool: undefined,
  }[app] as keyof Env | undefined;
  const url = variable === undefined ? undefined : env[variable];
  return variable !== undefined && typeof url === 'string' ? { variable, url } : undefined;
}

function describeIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => {
    const [variable = '(environment)', ...rest] = issue.path.map(String);
    const where = rest.length > 0 ? ` (at ${rest.join('.')})` : '';
    return `${variable}: ${issue.message}${where}`;
  });
}
