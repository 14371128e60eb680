#!/usr/bin/env node
// The `caravan` command: runs tools/cli/main.ts through tsx with the repository's tsconfig (path
// aliases), from whatever directory it is called in.
'use strict';
const { join } = require('node:path');

const root = join(__dirname, '..');
process.env.TSX_TSCONFIG_PATH = process.env.TSX_TSCONFIG_PATH || join(root, 'tsconfig.json');
require('tsx/cjs/api').register();
const { main } = require(join(root, 'tools', 'cli', 'main.ts'));
main(process.argv).then((code) => process.exit(code));
