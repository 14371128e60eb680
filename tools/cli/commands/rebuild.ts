import type { Command } from 'commander';
import { PROJECTION_NAMES } from '@caravan/contract';

export type RebuildOptions = { swap: boolean; quiet?: boolean; here?: boolean };

/** The implementation (PostgreSQL, the projections), loaded when the command runs, not for --help. */
const implementation = (): typeof import('../actions/rebuild') => require('../actions/rebuild');

/**
 * `caravan rebuild <projection|all>`: the admin endpoint's rebuild (shadow tables, comparison,
 * swap), run by the projector, with a progress bar.
 */
export function registerRebuild(program: Command): void {
  program
    .command('rebuild')
    .description(
      'ask the projector to rebuild a projection from the event store beside the live one (queries keep ' +
        'working), report differing rows, swap it in',
    )
    .argument('<projection>', `${PROJECTION_NAMES.join(' | ')} | all`)
    .option('--no-swap', 'compare only; keep the live tables')
    .option('--here', 'run it in this process (when no projector runs, e.g. while restoring a backup)')
    .option('--quiet', 'no progress bar')
    .action(async (name: string, options: RebuildOptions) => implementation().rebuild(name, options));
}
