import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { projectRoot } from '@caravan/config';
import { requireMaven } from './prerequisites';
import { runCommand } from './processes';

const kafkaFile = (name: string): string => join(projectRoot(), 'libs', 'stack', 'kafka', name);
export const kafkaLog4jProperties = (): string => kafkaFile('log4j.properties');

/**
 * The folder holding the broker's jars for `version`, fetched with Maven on first use.
 * Maven caches the artifacts in ~/.m2; the copy under the state dir is marked complete only
 * after Maven succeeded, so an interrupted fetch is redone.
 */
export async function ensureKafkaJars(stateDir: string, version: string, log: (line: string) => void): Promise<string> {
  const libs = resolve(stateDir, 'kafka', `jars-${version}`);
  const marker = join(libs, '.complete');
  if (existsSync(marker)) return libs;
  requireMaven();
  if (!/^3\.\d+\.\d+$/.test(version))
    throw new Error(`KAFKA_VERSION ${version}: the local stack runs Kafka 3.x brokers`);
  rmSync(libs, { recursive: true, force: true });
  mkdirSync(libs, { recursive: true });
  log(`fetching Apache Kafka ${version} jars from Maven Central (first run only)…`);
  const args = [
    '-q',
    '-B',
    '-Dstyle.color=never',
    '-f',
    kafkaFile('pom.xml'),
    `-Dkafka.version=${version}`,
    'dependency:copy-dependencies',
    '-DincludeScope=runtime',
    `-DoutputDirectory=${libs}`,
  ];
  const output = await runCommand('mvn', args);
  const jars = readdirSync(libs).filter((f) => f.endsWith('.jar'));
  if (!jars.some((f) => f.startsWith(`kafka_2.13-${version}`))) {
    throw new Error(`Maven did not fetch kafka_2.13-${version}.jar:\n${output.slice(-2000)}`);
  }
  writeFileSync(marker, `${new Date().toISOString()}\n`);
  log(`fetched ${jars.length} jars into ${libs}`);
  return libs;
}
