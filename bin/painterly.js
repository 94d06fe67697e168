#!/usr/bin/env node
// Entry point for `npx painterly`: registers the TypeScript loader, then runs the CLI.
const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  console.error(`painterly needs Node.js 20 or newer; this is ${process.versions.node}.`);
  process.exit(1);
}
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../companion/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
