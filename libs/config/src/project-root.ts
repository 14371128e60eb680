import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * The repository root (the folder holding nest-cli.json), found upward from this file, so files
 * shipped beside the code (migrations, the Kafka POM) are found from sources and build output alike.
 */
export function projectRoot(start: string = __dirname): string {
  for (let dir = resolve(start); ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nest-cli.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`no nest-cli.json above ${start}: run Caravan from its repository`);
  }
}
