import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { projectRoot } from '@caravan/config';

/** The commands `caravan --help` must list (the CLI's contract with its users). */
export const CLI_COMMANDS = [
  'up',
  'down',
  'status',
  'stack',
  'migrate',
  'simulate',
  'import',
  'kpis',
  'rebuild',
  'dlq',
  'offsets',
  'admin',
  'demo',
];

export type CliRun = { status: number | null; stdout: string; stderr: string };

/** Spawns `caravan …` as a user would (bin/caravan.js), with exactly the environment given (plus PATH and HOME). */
export function spawnCli(
  args: string[],
  env: Record<string, string>,
): ChildProcess & { output: { stdout: string; stderr: string } } {
  const child = spawn(process.execPath, [join(projectRoot(), 'bin', 'caravan.js'), ...args], {
    cwd: projectRoot(),
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const output = { stdout: '', stderr: '' };
  child.stdout?.on('data', (c: Buffer) => (output.stdout += c.toString()));
  child.stderr?.on('data', (c: Buffer) => (output.stderr += c.toString()));
  return Object.assign(child, { output });
}

/** Runs `caravan …` to its end (killed after `timeoutMs`). */
export async function runCli(args: string[], env: Record<string, string>, timeoutMs = 120_000): Promise<CliRun> {
  const child = spawnCli(args, env);
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const status = await new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
  clearTimeout(timer);
  return { status, ...child.output };
}
