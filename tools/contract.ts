/**
 * `npm run contract`: writes docs/contract/ and docs/openapi.json from the zod schemas; `--
 * --check` fails when stale.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { projectRoot } from '@caravan/config';
import { openApiDocument } from '@caravan/http-api';
import { contractDocuments } from '@caravan/contract';

const root = projectRoot();
const check = process.argv.includes('--check');
const stale: string[] = [];
const documents = { ...contractDocuments(), 'docs/openapi.json': `${JSON.stringify(openApiDocument(), null, 2)}\n` };
for (const [path, content] of Object.entries(documents)) {
  const file = join(root, path);
  const current = existsSync(file) ? readFileSync(file, 'utf8') : undefined;
  if (current === content) continue;
  if (check) {
    stale.push(path);
  } else {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, content);
    process.stdout.write(`wrote ${path}\n`);
  }
}
if (stale.length > 0) {
  process.stderr.write(`stale contract documents (run npm run contract): ${stale.join(', ')}\n`);
  process.exit(1);
}
