#!/usr/bin/env node
// The `caravan` command. In the repository it runs the sources (tools/cli/main.ts) through tsx with
// the repository's tsconfig (path aliases), so a change needs no build; installed from the package
// (production dependencies only: no tsx, no sources) it runs the compiled CLI in dist/.
'use strict';
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const root = join(__dirname, '..');
const source = join(root, 'tools', 'cli', 'main.ts');

function loadCli() {
  if (existsSync(source)) {
    let tsx;
    try {
      tsx = require('tsx/cjs/api');
    } catch {
      tsx = undefined; // sources without the dev dependencies (npm ci --omit=dev in a clone): the build
    }
    if (tsx) {
      process.env.TSX_TSCONFIG_PATH = process.env.TSX_TSCONFIG_PATH || join(root, 'tsconfig.json');
      tsx.register();
      return require(source);
    }
  }
  const compiled = join(root, 'dist', 'tools', 'cli', 'main.js');
  if (!existsSync(compiled)) {
    process.stderr.write(
      `caravan: ${compiled} is missing: build it (npm run build), or install the dev dependencies (npm ci)\n`,
    );
    process.exit(1);
  }
  return require(compiled);
}

loadCli()
  .main(process.argv)
  .then((code) => process.exit(code));
