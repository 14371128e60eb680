import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The name in Caravan's package.json (as @caravan/config's projectRoot() finds it). */
const PACKAGE_NAME = 'caravan';

/**
 * Caravan's version, from the first package.json upward from here named `caravan`: the
 * repository's (tools/cli/, or dist/tools/cli/ built in it) or the installed package's. The same
 * search as projectRoot(), without @caravan/config, which `--help` and `--version` must not load.
 */
export function packageVersion(start: string = __dirname): string {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    const manifest = readManifest(join(dir, 'package.json'));
    if (manifest?.name === PACKAGE_NAME && typeof manifest.version === 'string') return manifest.version;
    if (dirname(dir) === dir)
      throw new Error(`no package.json of ${PACKAGE_NAME} above ${start}: is Caravan installed whole?`);
  }
}

function readManifest(path: string): { name?: unknown; version?: unknown } | undefined {
  if (!existsSync(path)) return undefined;
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as { name?: unknown; version?: unknown };
  } catch {
    return undefined;
  }
}
