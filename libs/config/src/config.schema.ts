import { z } from 'zod';
import { DEFAULT_TOPICS } from '@caravan/contract';
import { DATABASE_SSL_MODES } from './secure-connections';

export const APP_NAMES = ['ingestor', 'projector', 'publisher', 'api'] as const;
export type AppName = (typeof APP_NAMES)[number];

/** Record batch compressions Kafka has: what Caravan's own producers may use (consumers read them all). */
export const KAFKA_COMPRESSIONS = ['none', 'gzip', 'snappy', 'lz4', 'zstd'] as const;
export type KafkaCompression = (typeof KAFKA_COMPRESSIONS)[number];

/** Default HTTP port of each app, so the four can run side by side on one machine. */
export const DEFAULT_HTTP_PORTS: Record<AppName, number> = {
  api: 3000,
  ingestor: 3001,
  projector: 3002,
  publisher: 3003,
};

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'])
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const brokerList = z
  .string()
  .transform((s) =>
    s
      .split(',')
      .map((b) => b.trim())
      .filter((b) => b.length > 0),
  )
  .pipe(z.array(z.string().regex(/^[^\s:]+:\d{1,5}$/, 'expected host:port')).min(1));

// Kafka's legal topic names.
const topicName = z.string().regex(/^[a-zA-Z0-9._-]{1,249}$/, 'expected a Kafka topic name');

const ianaTimeZone = z.string().refine((tz) => {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}, 'expected an IANA time zone such as Asia/Almaty');

/** Every environment variable Caravan reads, with the defaults of the local stack. */
export const envSchema = z.object({
  NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).default('postgres://postgres@127.0.0.1:5432/caravan'),
  DATABASE_POOL_SIZE: z.coerce.number().int().min(1).max(100).default(10),
  /** Default: true when the app connects with DATABASE_URL (one URL for all), false with a URL of its own. */
  MIGRATE_ON_START: booleanFlag.optional(),
  /** An app's own connection, as its least-privilege role (docs/security.md); DATABASE_URL otherwise. */
  INGESTOR_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  PROJECTOR_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  PUBLISHER_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /** The api's admin side (admin actions, /metrics, LISTEN); its queries use API_DATABASE_URL. */
  API_ADMIN_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  DATABASE_STATEMENT_TIMEOUT_MS: z.coerce.number().int().min(0).default(60_000),
  DATABASE_LOCK_TIMEOUT_MS: z.coerce.number().int().min(0).default(20_000),
  DATABASE_IDLE_TIMEOUT_MS: z.coerce.number().int().min(0).default(10_000),
  DATABASE_KEEPALIVE_SECONDS: z.coerce.number().int().min(0).max(3_600).default(10),
  /** TLS settings of the PostgreSQL connections (else the URL's sslmode; see secure-connections.ts). */
  DATABASE_SSL_MODE: z.enum(DATABASE_SSL_MODES).optional(),
  DATABASE_SSL_CA_FILE: z.string().min(1).optional(),
  DATABASE_SSL_CERT_FILE: z.string().min(1).optional(),
  DATABASE_SSL_KEY_FILE: z.string().min(1).optional(),
  KAFKA_BROKERS: brokerList.default(['127.0.0.1:9092']),
  /** TLS to the brokers (implied by a KAFKA_SSL_*_FILE); SASL with credentials inline or from files. */
  KAFKA_SSL: booleanFlag.optional(),
  KAFKA_SSL_CA_FILE: z.string().min(1).optional(),
  KAFKA_SSL_CERT_FILE: z.string().min(1).optional(),
  KAFKA_SSL_KEY_FILE: z.string().min(1).optional(),
  KAFKA_SSL_KEY_PASSWORD: z.string().min(1).optional(),
  KAFKA_SSL_REJECT_UNAUTHORIZED: booleanFlag.default(true),
  KAFKA_SASL_MECHANISM: z
    .string()
    .transform((s) => s.toLowerCase())
    .pipe(z.enum(['plain', 'scram-sha-256', 'scram-sha-512'], 'expected PLAIN, SCRAM-SHA-256 or SCRAM-SHA-512'))
    .optional(),
  KAFKA_SASL_USERNAME: z.string().min(1).optional(),
  KAFKA_SASL_USERNAME_FILE: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD: z.string().min(1).optional(),
  KAFKA_SASL_PASSWORD_FILE: z.string().min(1).optional(),
  KAFKA_CLIENT_ID: z.string().min(1).default('caravan'),
  KAFKA_COMPRESSION: z.enum(KAFKA_COMPRESSIONS).default('none'),
  /**
   * How long the group coordinator waits for a consumer (the ingestor) that stopped heartbeating before it hands its
   * partitions to another.
   */
  KAFKA_SESSION_TIMEOUT_MS: z.coerce.number().int().min(6_000).max(300_000).default(30_000),
  TOPIC_PARTITIONS: z.coerce.number().int().min(1).max(1000).default(6),
  TOPIC_BOOKINGS: topicName.default(DEFAULT_TOPICS.bookings),
  TOPIC_ARRIVALS: topicName.default(DEFAULT_TOPICS.arrivals),
  TOPIC_MEDIA: topicName.default(DEFAULT_TOPICS.media),
  TOPIC_DLQ: topicName.default(DEFAULT_TOPICS.dlq),
  TOPIC_SNAPSHOTS: topicName.default(DEFAULT_TOPICS.snapshots),
  INGEST_GROUP_ID: z.string().min(1).max(200).default('caravan-ingestor'),
  INGEST_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(18),
  INGEST_MAX_BYTES_PER_PARTITION: z.coerce.number().int().min(1024).default(262_144),
  DLQ_RELAY_INTERVAL_MS: z.coerce.number().int().min(100).default(5_000),
  PROJECTOR_BATCH_SIZE: z.coerce.number().int().min(1).max(100_000).default(5_000),
  PROJECTOR_IDLE_MS: z.coerce.number().int().min(10).default(500),
  PROJECTOR_STANDBY_MS: z.coerce.number().int().min(100).default(2_000),
  SNAPSHOT_INTERVAL_MS: z.coerce.number().int().min(50).default(1_000),
  API_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  API_STREAM_POLL_MS: z.coerce.number().int().min(50).default(1_000),
  API_STREAM_HEARTBEAT_MS: z.coerce.number().int().min(100).default(15_000),
  API_STREAM_MAX_CLIENTS: z.coerce.number().int().min(1).max(100_000).default(1_000),
  SNAPSHOT_RETENTION_DAYS: z.coerce.number().min(0).default(30),
  ADMIN_TOKEN: z.string().min(16, 'at least 16 characters').optional(),
  /** Admin requests per minute per token (per client address without a valid token), in each api process; 0: no limit. */
  ADMIN_RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(100_000).default(60),
  CORS_ORIGINS: z
    .string()
    .transform((s) =>
      s
        .split(',')
        .map((o) => o.trim())
        .filter((o) => o.length > 0),
    )
    .pipe(z.array(z.url()))
    .default([]),
  HTTP_BODY_LIMIT_BYTES: z.coerce.number().int().min(1_024).max(10_485_760).default(65_536),
  HTTP_URL_LIMIT_BYTES: z.coerce.number().int().min(256).max(65_536).default(4_096),
  HTTP_HOST: z.string().min(1).default('127.0.0.1'),
  HTTP_PORT: z.coerce.number().int().min(0).max(65535).optional(),
  /** TLS terminated by the app (PEM files), for deployments without a proxy in front: both or neither. */
  HTTP_TLS_CERT_FILE: z.string().min(1).optional(),
  HTTP_TLS_KEY_FILE: z.string().min(1).optional(),
  /** How long a client may take to send a request's headers, and the whole request (slow clients hold sockets). */
  HTTP_HEADERS_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(10_000),
  HTTP_REQUEST_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
  /** A connection on which nothing moves this long is closed (a live stream's heartbeats keep it moving). */
  HTTP_IDLE_TIMEOUT_MS: z.coerce.number().int().min(1_000).max(3_600_000).default(60_000),
  HTTP_KEEP_ALIVE_TIMEOUT_MS: z.coerce.number().int().min(100).max(600_000).default(5_000),
  /**
   * Whether /metrics carries the pipeline-wide figures read from PostgreSQL and Kafka at each scrape
   * (counts, lags, snapshot age, dead letters): by default the api's only, so they are exported once.
   */
  METRICS_PIPELINE: booleanFlag.optional(),
  TIME_ZONE: ianaTimeZone.default('Asia/Almaty'),
  CARAVAN_STATE_DIR: z.string().min(1).default('.caravan'),
  /** `caravan up` and the demo run each app as its least-privilege role where the local server lets them log in. */
  CARAVAN_LOCAL_ROLES: booleanFlag.default(true),
  KAFKA_VERSION: z
    .string()
    .regex(/^\d+\.\d+\.\d+$/)
    .default('3.9.1'),
  KAFKA_HEAP: z
    .string()
    .regex(/^\d+[mMgG]$/)
    .default('512m'),
});

export type Env = z.infer<typeof envSchema>;
