import { buildApps, buildIsCurrent } from '@caravan/stack';
import { CliError } from './cli-error';

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
