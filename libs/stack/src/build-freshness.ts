import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { APP_NAMES } from '@caravan/config';

/**
 * What the build compiles or bundles: TypeScript (specs are not built), imported JSON, the dashboard's page and styles.
 */
const SOURCE = /(?<!\.spec)\.ts$|\.(json|css|html)$/;
/** The folders built into dist/ (tsconfig.build.json, the dashboard) and the files that say how. */
const SOURCE_DIRS = ['apps', 'libs', join('tools', 'cli')];
const BUILD_FILES = ['tsconfig.json', 'tsconfig.build.json', 'nest-cli.json', 'package-lock.json'];

/** Files the build writes, one per part: each app's entry, the CLI's, and the dashboard's report (written last). */
const outputs = (root: string): string[] => [
  ...APP_NAMES.map((app) => join(root, 'dist', 'apps', app, 'src', 'main.js')),
  join(root, 'dist', 'tools', 'cli', 'main.js'),
  join(root, 'dist', 'dashboard', 'build.json'),
];

function newestMs(path: string): number {
  // An installed package ships no sources: what it holds is what was built.
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return SOURCE.test(path) ? stat.mtimeMs : 0;
  let newest = 0;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMs(join(path, entry)));
  return newest;
}

/**
 * Whether dist/ holds every app, the CLI and the dashboard, each written after the last change to
 * any source the build reads (apps/, libs/, tools/cli/ and the build's own settings). Migrations
 * and other files read at run time from the root are no reason to build again.
 */
export function buildIsCurrent(root: string): boolean {
  const built = outputs(root);
  if (!built.every((file) => existsSync(file))) return false;
  const oldestOutput = Math.min(...built.map((file) => statSync(file).mtimeMs));
  const sources = [...SOURCE_DIRS, ...BUILD_FILES].map((path) => newestMs(join(root, path)));
  return oldestOutput >= Math.max(...sources);
}
