#!/usr/bin/env node
import { runCli } from './cli';
import { processIo } from './cli-io';

// `dane` (package.json "bin": dist/apps/cli/src/main.js). Exit codes: see `dane --help`.
runCli(process.argv.slice(2), processIo()).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`dane: ${err?.stack ?? err}\n`);
    process.exit(1);
  },
);
