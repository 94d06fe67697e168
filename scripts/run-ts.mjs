#!/usr/bin/env node
// Runs a developer's TypeScript entry point (benchmarks, evaluations) with tsx, its compile
// cache off: tsx otherwise keeps compiled code in a shared temp folder ($TMPDIR/tsx-<uid>) and
// trusts what it finds there, so another local user could plant code in it. The companion itself
// never does this (it runs as built JavaScript, see scripts/build-companion.mjs).
//   node scripts/run-ts.mjs FILE.ts [args...]
import path from 'node:path';
import { pathToFileURL } from 'node:url';

const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error('Usage: node scripts/run-ts.mjs FILE.ts [args...]');
  process.exit(2);
}
// Read by tsx when it loads, and copied into the worker threads the code starts.
process.env.TSX_DISABLE_CACHE = '1';
process.env.ORT_DISABLE_TELEMETRY = '1';
// What `node --import tsx` loads: tsx's ES module and CommonJS hooks.
await import('tsx');
const script = path.resolve(file);
process.argv = [process.argv[0], script, ...args];
await import(pathToFileURL(script).href);
