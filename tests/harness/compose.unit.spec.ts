import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { loadConfig, projectRoot } from '@caravan/config';
import { KAFKA_IMAGE } from './containers';

type Compose = { services: Record<string, { image: string; ports: string[]; healthcheck?: { test: string[] } }> };

describe('docker-compose.yml', () => {
  const compose = parse(readFileSync(join(projectRoot(), 'docker-compose.yml'), 'utf8')) as Compose;

  it('runs the Kafka version of the local stack and of the test containers', () => {
    const version = loadConfig('tool', {}).stack.kafkaVersion;
    expect(compose.services.kafka?.image).toBe(`apache/kafka:${version}`);
    expect(KAFKA_IMAGE).toBe(`apache/kafka:${version}`);
  });

  it('publishes the default addresses of the config, each service with a health check', () => {
    expect(compose.services.kafka?.ports).toEqual(['127.0.0.1:9092:9092']);
    expect(compose.services.postgres?.ports).toEqual(['127.0.0.1:5432:5432']);
    expect(compose.services.kafka?.healthcheck?.test).toBeDefined();
    expect(compose.services.postgres?.healthcheck?.test).toBeDefined();
  });
});
