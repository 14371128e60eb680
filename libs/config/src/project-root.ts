import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/** The name in Caravan's package.json: how its root is told from the folders above and below it. */
const PACKAGE_NAME = 'caravan';

/**
 * Caravan's root: the folder of its package.json, found upward from this file. That is the
 * repository (running from sources or from dist/ built in it) or the installed package
 * (node_modules/caravan, an image's /app), so the files shipped beside the code (migrations, the
 * dashboard, the Kafka POM) are found the same way in each, wherever the command is run from.
 * The CLI's `--version` imports this file alone (not @caravan/config): it must import nothing but
 * Node.js built-ins (tests/cli/help.int.spec.ts).
 */
export function projectRoot(start: string = __dirname): string {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (isCaravanPackage(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir)
      throw new Error(`no package.json of ${PACKAGE_NAME} above ${start}: is Caravan installed whole?`);
  }
}

function isCaravanPackage(manifest: string): boolean {
  if (!existsSync(manifest)) return false;
  try {
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { name?: unknown }).name === PACKAGE_NAME;
  } catch {
    return false;
  }
}
