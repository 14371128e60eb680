import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { projectRoot } from '@caravan/config';
import { withDatabase } from '@caravan/database';
import { createKafka, ensureTopics, probeBrokers } from '@caravan/kafka';
import { testServices } from '../../../tests/harness/test-env';
import { type BrokerOptions, brokerStatus, ourBrokerPid, startBroker, stopBroker } from './kafka-broker';
import { freePortRun } from './ports';
import { isAlive } from './processes';

const root = projectRoot();
const javaAvailable = spawnSync('java', ['-version']).status === 0;
const quiet = (): void => undefined;

/** Runs the stack CLI as a user would, with a PATH holding only what the test says. */
// `stack up` creates its database when missing: point it at one that always exists, so the test
// leaves the server as it found it.
const existingDatabase = (): string => withDatabase(testServices().databaseUrl, 'postgres');

function runStackCli(
  args: string[],
  env: Record<string, string>,
  pathTools: string[],
): { status: number | null; stderr: string } {
  const bin = mkdtempSync(join(tmpdir(), 'caravan-bin-'));
  for (const tool of ['node', ...pathTools]) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    symlinkSync(found, join(bin, tool));
  }
  try {
    const run = spawnSync(process.execPath, [join(root, 'bin', 'caravan.js'), 'stack', ...args], {
      cwd: root,
      encoding: 'utf8',
      env: { ...env, PATH: bin, HOME: process.env.HOME ?? '/root' },
      timeout: 60_000,
    });
    return { status: run.status, stderr: run.stderr };
  } finally {
    rmSync(bin, { recursive: true, force: true });
  }
}

describe('the local stack', () => {
  let stateDir: string;
  beforeEach(() => {
    stateDir = mkdtempSync(join(tmpdir(), 'caravan-stack-'));
  });
  afterEach(async () => {
    await stopBroker(stateDir, quiet);
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('explains a missing Java in one line instead of a stack trace', async () => {
    const port = await freePortRun(2);
    const run = runStackCli(
      ['up'],
      { CARAVAN_STATE_DIR: stateDir, KAFKA_BROKERS: `127.0.0.1:${port}`, DATABASE_URL: existingDatabase() },
      [],
    );
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(
        /^caravan stack: Java 17\+ is needed .*install it \(apt-get install openjdk-17-jre-headless\)/,
      ),
    ]);
  });

  (javaAvailable ? it : it.skip)('explains a missing Maven in one line when the jars must be fetched', async () => {
    const port = await freePortRun(2);
    const run = runStackCli(
      ['up'],
      { CARAVAN_STATE_DIR: stateDir, KAFKA_BROKERS: `127.0.0.1:${port}`, DATABASE_URL: existingDatabase() },
      ['java'],
    );
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual([
      expect.stringMatching(/^caravan stack: Maven is needed .*apt-get install maven/),
    ]);
  });

  (javaAvailable ? it : it.skip)('starts a real broker, is idempotent, and stops only what it started', async () => {
    // Reuse the jars the run's own stack fetched, when there are some, instead of copying 46 MB.
    const cached = resolve(root, '.caravan', 'kafka', 'jars-3.9.1');
    if (existsSync(join(cached, '.complete'))) {
      mkdirSync(join(stateDir, 'kafka'), { recursive: true });
      symlinkSync(cached, join(stateDir, 'kafka', 'jars-3.9.1'));
    }
    const port = await freePortRun(2); // the controller listens on the next port
    const options: BrokerOptions = { stateDir, version: '3.9.1', heap: '384m', bootstrap: `127.0.0.1:${port}` };

    expect(await brokerStatus(options)).toEqual({ state: 'stopped', bootstrap: options.bootstrap });
    const first = await startBroker(options, quiet);
    expect(first.started).toBe(true);
    const pid = first.pid as number;
    expect(ourBrokerPid(stateDir)).toBe(pid);

    // It is a real broker: topics can be created and listed.
    const admin = createKafka({ brokers: [options.bootstrap], clientId: 'stack-test' }).admin();
    await admin.connect();
    await ensureTopics(admin, [{ topic: 'stack-test', numPartitions: 3 }]);
    const metadata = await admin.fetchTopicMetadata({ topics: ['stack-test'] });
    await admin.disconnect();
    expect(metadata.topics[0]?.partitions).toHaveLength(3);

    const second = await startBroker(options, quiet);
    expect(second).toEqual({ started: false, pid });
    expect(await brokerStatus(options)).toEqual({ state: 'running', pid, ours: true, bootstrap: options.bootstrap });

    // Another state dir did not start this broker: its `down` leaves it alone.
    const otherDir = mkdtempSync(join(tmpdir(), 'caravan-stack-other-'));
    try {
      expect(await stopBroker(otherDir, quiet)).toEqual({ stopped: false });
      expect(isAlive(pid)).toBe(true);
      // ...and its `up` uses the broker that answers instead of starting a second one.
      expect(await startBroker({ ...options, stateDir: otherDir }, quiet)).toEqual({ started: false });
    } finally {
      rmSync(otherDir, { recursive: true, force: true });
    }

    expect(await stopBroker(stateDir, quiet)).toEqual({ stopped: true });
    expect(isAlive(pid)).toBe(false);
    expect((await probeBrokers({ brokers: [options.bootstrap] }, 1_000)).ok).toBe(false);
    expect(await stopBroker(stateDir, quiet)).toEqual({ stopped: false });
  });
});
