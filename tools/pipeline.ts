/**
 * `npm run pipeline`: the local stack plus the four apps in the foreground, until Ctrl-C, which
 * stops the apps and whatever of the stack this command started.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { APP_NAMES, type AppName, ConfigError, DEFAULT_HTTP_PORTS, loadConfig, projectRoot } from '@caravan/config';
import { createPool, migrate } from '@caravan/database';
import { MissingPrerequisite, stackDown, stackUp, waitUntil } from '@caravan/stack';

const log = (line: string): void => void process.stdout.write(`[pipeline] ${line}\n`);
const READY_TIMEOUT_MS = 60_000;

async function main(): Promise<void> {
  const config = loadConfig('tool');
  const root = projectRoot();
  const { startedKafka } = await stackUp(config, log);
  const pool = createPool({ url: config.database.url, poolSize: 1 });
  await migrate(pool).finally(() => pool.end());

  const children = new Map<AppName, ChildProcess>();
  let stopping = false;
  const stop = async (code: number): Promise<never> => {
    if (stopping) return new Promise<never>(() => undefined);
    stopping = true;
    log('stopping the apps…');
    for (const child of children.values()) child.kill('SIGTERM');
    await waitUntil(() => [...children.values()].every((c) => c.exitCode !== null || c.signalCode !== null), 15_000);
    for (const child of children.values()) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    if (startedKafka) await stackDown(config, log);
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  for (const app of APP_NAMES) {
    const entry = join(root, 'dist', 'apps', app, 'src', 'main.js');
    if (!existsSync(entry)) throw new Error(`${entry} is missing: run \`npm run build\` first`);
    const child = spawn(process.execPath, [entry], { cwd: root, env: process.env, stdio: ['ignore', 'pipe', 'pipe'] });
    const prefix = (chunk: Buffer): string => chunk.toString().replace(/^(?=.)/gm, `[${app}] `);
    child.stdout?.on('data', (c: Buffer) => process.stdout.write(prefix(c)));
    child.stderr?.on('data', (c: Buffer) => process.stderr.write(prefix(c)));
    child.on('exit', (code, signal) => {
      if (!stopping) {
        log(`${app} exited (${signal ?? code}): stopping everything`);
        void stop(1);
      }
    });
    children.set(app, child);
  }

  for (const app of APP_NAMES) {
    const url = `http://${config.http.host}:${DEFAULT_HTTP_PORTS[app]}/health/ready`;
    const ready = await waitUntil(async () => (await fetch(url).catch(() => undefined))?.status === 200, READY_TIMEOUT_MS, 250);
    if (!ready) {
      log(`${app} not ready within ${READY_TIMEOUT_MS / 1000} s (${url})`);
      return void (await stop(1));
    }
    log(`${app} ready: ${url.replace('/health/ready', '')}`);
  }
  log('all apps ready; Ctrl-C stops them' + (startedKafka ? ' and the Kafka broker' : ''));
  for (;;) await delay(60_000);
}

main().catch((error: unknown) => {
  const oneLine = error instanceof MissingPrerequisite || error instanceof ConfigError;
  process.stderr.write(`caravan pipeline: ${oneLine ? (error as Error).message : (error as Error).stack}\n`);
  process.exit(1);
});
