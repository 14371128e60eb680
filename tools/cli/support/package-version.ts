import { readFileSync } from 'node:fs';
import { join } from 'node:path';
// The file itself, not @caravan/config: `--help` and `--version` must not load the library (its
// schema, its secure-connection settings…); project-root.js needs nothing but node:fs and node:path.
import { projectRoot } from '../../../libs/config/src/project-root';

/**
 * Caravan's version, from the package.json of projectRoot(): the repository's (tools/cli/, or
 * dist/tools/cli/ built in it) or the installed package's.
 */
export function packageVersion(start: string = __dirname): string {
  const path = join(projectRoot(start), 'package.json');
  const { version } = JSON.parse(readFileSync(path, 'utf8')) as { version?: unknown };
  if (typeof version !== 'string') throw new Error(`${path} has no version`);
  return version;
}
