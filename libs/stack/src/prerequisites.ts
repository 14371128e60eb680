import { spawnSync } from 'node:child_process';

/** A missing tool or service, explained in one line with what to install. */
export class MissingPrerequisite extends Error {
  readonly retriable = false;
  constructor(message: string) {
    super(message);
    this.name = 'MissingPrerequisite';
  }
}

/** Java's major version (17 from `openjdk version "17.0.15"`), or throws with what to install. */
export function requireJava(minMajor = 17): number {
  const run = spawnSync('java', ['-version'], { encoding: 'utf8' });
  const match = /version "(\d+)(?:\.(\d+))?/.exec(`${run.stderr ?? ''}${run.stdout ?? ''}`);
  if (run.error || !match) {
    throw new MissingPrerequisite(
      `Java ${minMajor}+ is needed to run the local Kafka broker: install it (apt-get install ` +
        `openjdk-17-jre-headless) or use Docker (docker compose up).`,
    );
  }
  const major = match[1] === '1' ? Number(match[2]) : Number(match[1]);
  if (major < minMajor) {
    throw new MissingPrerequisite(
      `Java ${major} found; the Kafka broker needs Java ${minMajor}+ (apt-get install openjdk-17-jre-headless).`,
    );
  }
  return major;
}

export function requireMaven(): void {
  const run = spawnSync('mvn', ['--version'], { encoding: 'utf8' });
  if (run.error || run.status !== 0) {
    throw new MissingPrerequisite(
      'Maven is needed to fetch the Kafka broker jars from Maven Central: install it (apt-get ' +
        'install maven) or use Docker (docker compose up).',
    );
  }
}
