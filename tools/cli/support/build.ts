import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { APP_NAMES } from '@caravan/config';
import { appEntry, buildApps } from '@caravan/stack';
import { CliError } from './cli-error';

function newestSourceMs(dir: string): number {
  let newest = 0;
  // An installed package ships no sources: what it holds is what was built.
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSourceMs(path));
    else if (/\.(ts|sql|json)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** Whether dist/ holds every app and is newer than every source file under apps/ and libs/ (an installed package: it holds every app). */
export function buildIsCurrent(root: string): boolean {
  const entries = APP_NAMES.map((app) => appEntry(root, app));
  if (!entries.every((e) => existsSync(e))) return false;
  const built = Math.min(...entries.map((e) => statSync(e).mtimeMs));
  return built >= Math.max(newestSourceMs(join(root, 'apps')), newestSourceMs(join(root, 'libs')));
}

/** Runs `nest build` unless dist/ is current (the apps run from dist/: they need decorator metadata). */
export function ensureBuilt(root: string, log: (line: string) => void): void {
  if (buildIsCurrent(root)) return;
  log('building the apps (nest build)…');
  const started = Date.now();
  try {
    buildApps(root);
  } catch (error) {
    throw new CliError((error as Error).message.trim().split('\n').slice(0, 4).join(' | '));
  }
  log(`built in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
