import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { probeBrokers } from '@caravan/kafka';
import { ensureKafkaJars, kafkaLog4jProperties } from './kafka-distribution';
import { isAlive, readCmdline } from './processes';
import { requireJava } from './prerequisites';
import { waitFor } from './wait-for';

export type BrokerOptions = { stateDir: string; version: string; heap: string; bootstrap: string };
export type BrokerStatus =
  | { state: 'running'; pid: number; ours: true; bootstrap: string }
  | { state: 'external'; ours: false; bootstrap: string }
  | { state: 'stopped'; bootstrap: string };

const STARTUP_TIMEOUT_MS = 90_000;
const SHUTDOWN_TIMEOUT_MS = 30_000;

function paths(stateDir: string) {
  const root = resolve(stateDir, 'kafka');
  return {
    root,
    data: join(root, 'data'),
    properties: join(root, 'server.properties'),
    pidFile: join(root, 'kafka.pid'),
    log: join(root, 'kafka.log'),
  };
}

/** Settings for one combined broker+controller: replication factors of 1, no rebalance delay. */
export function serverProperties(host: string, port: number, dataDir: string): string {
  const controller = `${host}:${port + 1}`;
  return [
    'process.roles=broker,controller',
    'node.id=1',
    `controller.quorum.voters=1@${controller}`,
    `listeners=PLAINTEXT://${host}:${port},CONTROLLER://${controller}`,
    `advertised.listeners=PLAINTEXT://${host}:${port}`,
    'controller.listener.names=CONTROLLER',
    'inter.broker.listener.name=PLAINTEXT',
    'listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT',
    `log.dirs=${dataDir}`,
    'num.partitions=1',
    'default.replication.factor=1',
    'min.insync.replicas=1',
    'offsets.topic.replication.factor=1',
    'offsets.topic.num.partitions=6',
    'transaction.state.log.replication.factor=1',
    'transaction.state.log.min.isr=1',
    'transaction.state.log.num.partitions=6',
    'group.initial.rebalance.delay.ms=0',
    'auto.create.topics.enable=true',
    'delete.topic.enable=true',
    'log.cleaner.enable=true',
    'num.network.threads=2',
    'num.io.threads=4',
    'log.retention.hours=168',
    '',
  ].join('\n');
}

/** The pid of the broker this state dir started, if it still runs. */
export function ourBrokerPid(stateDir: string): number | undefined {
  const p = paths(stateDir);
  if (!existsSync(p.pidFile)) return undefined;
  const pid = Number(readFileSync(p.pidFile, 'utf8').trim());
  if (!Number.isInteger(pid) || !isAlive(pid)) return undefined;
  // A recycled pid must not be taken for ours: the command line names our properties file.
  const cmdline = readCmdline(pid);
  return cmdline === undefined || cmdline.includes(p.properties) ? pid : undefined;
}

export async function brokerStatus(options: BrokerOptions): Promise<BrokerStatus> {
  const pid = ourBrokerPid(options.stateDir);
  if (pid !== undefined) return { state: 'running', pid, ours: true, bootstrap: options.bootstrap };
  const probe = await probeBrokers({ brokers: [options.bootstrap] }, 2_000);
  return probe.ok
    ? { state: 'external', ours: false, bootstrap: options.bootstrap }
    : { state: 'stopped', bootstrap: options.bootstrap };
}

/**
 * Starts the broker unless one already answers at the bootstrap address (ours or not), then
 * waits until a metadata request succeeds. Returns whether this call started it.
 */
export async function startBroker(
  options: BrokerOptions,
  log: (line: string) => void,
): Promise<{ started: boolean; pid?: number }> {
  const p = paths(options.stateDir);
  const running = ourBrokerPid(options.stateDir);
  if (running === undefined && (await probeBrokers({ brokers: [options.bootstrap] }, 2_000)).ok) {
    log(`Kafka already answers at ${options.bootstrap} (not started by this stack): using it`);
    return { started: false };
  }
  if (running !== undefined) {
    await waitForBroker(options, running, p.log);
    log(`Kafka already running (pid ${running}) at ${options.bootstrap}`);
    return { started: false, pid: running };
  }
  requireJava(17);
  const jars = await ensureKafkaJars(options.stateDir, options.version, log);
  const [host, portText] = options.bootstrap.split(':') as [string, string];
  mkdirSync(p.data, { recursive: true });
  writeFileSync(p.properties, serverProperties(host, Number(portText), p.data));
  const java = [
    '-Xms256m',
    `-Xmx${options.heap}`,
    `-Dlog4j.configuration=file:${kafkaLog4jProperties()}`,
    '-cp',
    `${jars}/*`,
  ];
  if (!existsSync(join(p.data, 'meta.properties'))) formatStorage(java, p.properties);

  const out = openSync(p.log, 'a');
  const child = spawn('java', [...java, 'kafka.Kafka', p.properties], { detached: true, stdio: ['ignore', out, out] });
  closeSync(out);
  if (child.pid === undefined) throw new Error('could not spawn java for the Kafka broker');
  child.unref();
  writeFileSync(p.pidFile, `${child.pid}\n`);
  log(`starting Kafka ${options.version} (pid ${child.pid}) at ${options.bootstrap}, log ${p.log}`);
  await waitForBroker(options, child.pid, p.log);
  log(`Kafka is up at ${options.bootstrap}`);
  return { started: true, pid: child.pid };
}

/** Stops the broker this state dir started (SIGTERM, then SIGKILL after a grace period); nothing else. */
export async function stopBroker(stateDir: string, log: (line: string) => void): Promise<{ stopped: boolean }> {
  const p = paths(stateDir);
  const pid = ourBrokerPid(stateDir);
  if (pid === undefined) {
    rmSync(p.pidFile, { force: true });
    return { stopped: false };
  }
  process.kill(pid, 'SIGTERM');
  const exited = await waitFor(() => !isAlive(pid), { timeoutMs: SHUTDOWN_TIMEOUT_MS, intervalMs: 200 }).catch(
    () => false,
  );
  if (!exited) {
    log(`Kafka (pid ${pid}) did not stop within ${SHUTDOWN_TIMEOUT_MS / 1000} s: killing it`);
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !isAlive(pid), { timeoutMs: 5_000, intervalMs: 200 }).catch(() => false);
  }
  rmSync(p.pidFile, { force: true });
  log(`Kafka stopped (pid ${pid})`);
  return { stopped: true };
}

/** Deletes the broker's data (topics, offsets); only while it is stopped. */
export function resetBrokerData(stateDir: string): void {
  if (ourBrokerPid(stateDir) !== undefined) throw new Error('stop the stack before resetting Kafka data');
  rmSync(paths(stateDir).data, { recursive: true, force: true });
}

/**
 * A random cluster id that does not start with '-', which the tool's argument parser would take for
 * an option (Kafka's own Uuid avoids it too).
 */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}

function formatStorage(java: string[], properties: string): void {
  const clusterId = newClusterId();
  const run = spawnSync(
    'java',
    [...java, 'kafka.tools.StorageTool', 'format', '-t', clusterId, '-c', properties, '--ignore-formatted'],
    {
      encoding: 'utf8',
    },
  );
  if (run.status !== 0)
    throw new Error(`formatting Kafka storage failed:\n${(run.stdout ?? '') + (run.stderr ?? '')}`.slice(0, 4000));
}

async function waitForBroker(options: BrokerOptions, pid: number, logFile: string): Promise<void> {
  // A broker that exited during start-up ends the wait too: it will not answer.
  const outcome = await waitFor(
    async () => (!isAlive(pid) ? 'died' : (await probeBrokers({ brokers: [options.bootstrap] }, 2_000)).ok && 'up'),
    { timeoutMs: STARTUP_TIMEOUT_MS, intervalMs: 200 },
  ).catch(() => 'not up' as const);
  const died = outcome === 'died';
  if (outcome !== 'up') {
    const tail = existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').slice(-25).join('\n') : '(no log)';
    throw new Error(
      `Kafka ${died ? 'exited during start-up' : `did not answer within ${STARTUP_TIMEOUT_MS / 1000} s`}; ` +
        `end of ${logFile}:\n${tail}`,
    );
  }
}
