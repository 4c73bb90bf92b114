#!/usr/bin/env node
// The gunicorn-live CLI: the hub without VS Code. Built by `npm run build` into dist/cli.js.
const { existsSync } = require('node:fs');
const { join } = require('node:path');
const cli = join(__dirname, '..', 'dist', 'cli.js');
if (!existsSync(cli)) {
  console.error('gunicorn-live: not built yet — run `npm run build` in ' + join(__dirname, '..'));
  process.exit(2);
}
require(cli);
