import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives the local-stack defaults for an empty environment', () => {
    const config = loadConfig('ingestor', {});
    expect(config.database.url).toBe('postgres://postgres@127.0.0.1:5432/caravan');
    expect(config.kafka.brokers).toEqual(['127.0.0.1:9092']);
    expect(config.kafka.clientId).toBe('caravan-ingestor');
    expect(config.kafka.topicPartitions).toBe(6);
    expect(config.http).toEqual({
      host: '127.0.0.1',
      port: 3001,
      corsOrigins: [],
      bodyLimitBytes: 65_536,
      urlLimitBytes: 4_096,
      tls: undefined,
      timeouts: { headersMs: 10_000, requestMs: 30_000, idleMs: 60_000, keepAliveMs: 5_000 },
    });
    expect(config.timeZone).toBe('Asia/Almaty');
    expect(config.database.migrateOnStart).toBe(true);
    expect(config.kafka.sessionTimeoutMs).toBe(30_000);
  });

  it('takes a Kafka session timeout the broker accepts (group.min.session.timeout.ms is 6 s by default)', () => {
    expect(loadConfig('ingestor', { KAFKA_SESSION_TIMEOUT_MS: '10000' }).kafka.sessionTimeoutMs).toBe(10_000);
    expect(() => loadConfig('ingestor', { KAFKA_SESSION_TIMEOUT_MS: '3000' })).toThrow(/KAFKA_SESSION_TIMEOUT_MS/);
  });

  it('parses values from the environment', () => {
    const config = loadConfig('api', {
      KAFKA_BROKERS: 'a:1, b:2',
      HTTP_PORT: '8080',
      MIGRATE_ON_START: 'false',
      TOPIC_PARTITIONS: '12',
      TIME_ZONE: 'Europe/Berlin',
    });
    expect(config.kafka.brokers).toEqual(['a:1', 'b:2']);
    expect(config.http.port).toBe(8080);
    expect(config.database.migrateOnStart).toBe(false);
    expect(config.kafka.topicPartitions).toBe(12);
    expect(config.timeZone).toBe('Europe/Berlin');
  });

  it('limits admin requests to 60 a minute unless ADMIN_RATE_LIMIT_PER_MINUTE says otherwise (0: off)', () => {
    expect(loadConfig('api', {}).api.adminRateLimitPerMinute).toBe(60);
    expect(loadConfig('api', { ADMIN_RATE_LIMIT_PER_MINUTE: '0' }).api.adminRateLimitPerMinute).toBe(0);
    expect(loadConfig('api', { ADMIN_RATE_LIMIT_PER_MINUTE: '600' }).api.adminRateLimitPerMinute).toBe(600);
    expect(() => loadConfig('api', { ADMIN_RATE_LIMIT_PER_MINUTE: '-1' })).toThrow(/ADMIN_RATE_LIMIT_PER_MINUTE: /);
    expect(() => loadConfig('api', { ADMIN_RATE_LIMIT_PER_MINUTE: '1.5' })).toThrow(/ADMIN_RATE_LIMIT_PER_MINUTE: /);
  });

  it('treats an empty variable as unset', () => {
    expect(loadConfig('api', { HTTP_PORT: '' }).http.port).toBe(3000);
  });

  it.each([
    ['HTTP_PORT', 'eighty'],
    ['KAFKA_BROKERS', 'localhost'],
    ['DATABASE_URL', 'mysql://x@y/z'],
    ['TIME_ZONE', 'UTC+5'],
    ['MIGRATE_ON_START', 'maybe'],
    ['TOPIC_PARTITIONS', '0'],
  ])('stops on a bad %s with a message naming it', (variable, value) => {
    expect(() => loadConfig('api', { [variable]: value })).toThrow(ConfigError);
    expect(() => loadConfig('api', { [variable]: value })).toThrow(new RegExp(`${variable}: `));
  });

  it('names every bad variable at once', () => {
    try {
      loadConfig('api', { HTTP_PORT: '-1', LOG_LEVEL: 'loud' });
      throw new Error('expected a ConfigError');
    } catch (error) {
      expect((error as ConfigError).issues.map((i) => i.split(':')[0]).sort()).toEqual(['HTTP_PORT', 'LOG_LEVEL']);
    }
  });

  it('refuses an admin URL for the api without a URL for its public queries', () => {
    expect(() => loadConfig('api', { API_ADMIN_DATABASE_URL: 'postgres://caravan_admin_user@db/caravan' })).toThrow(
      /API_DATABASE_URL: required with API_ADMIN_DATABASE_URL/,
    );
  });
});
