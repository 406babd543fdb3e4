#!/usr/bin/env node
// Entry point of the `ctl-departure` command; the code is compiled to dist/ by `npm ci` (prepare) or `npm run build`.
const { main } = require('../dist/cli/main.js');
main(process.argv.slice(2)).then(
  (code) => { process.exitCode = code; },
  (error) => { process.stderr.write(`ctl-departure: ${error && error.stack ? error.stack : error}\n`); process.exitCode = 1; },
);
