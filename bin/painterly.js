#!/usr/bin/env node
// Entry point for `npx painterly`: runs the companion as built JavaScript (build/, made by
// `npm install` or `npm run build`). Nothing is compiled at run time.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const [major] = process.versions.node.split('.').map(Number);
if (major < 20) {
  console.error(`painterly needs Node.js 20 or newer; this is ${process.versions.node}.`);
  process.exit(1);
}

const root = fileURLToPath(new URL('..', import.meta.url));
const entry = new URL('../build/companion/cli/main.js', import.meta.url);
if (!existsSync(entry)) {
  console.error(`painterly: the companion is not built yet: run \`npm install\` (or \`npm run build\`) in ${root}`);
  process.exit(1);
}
warnIfStale();
process.setSourceMapsEnabled(true);
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));

/** In a developer's checkout, says so when a source changed after the last build (it is not rebuilt here). */
function warnIfStale() {
  try {
    const info = JSON.parse(readFileSync(new URL('../build/build-info.json', import.meta.url), 'utf8'));
    let newest = 0;
    const walk = (dir) => {
      for (const e of readdirSync(dir, { withFileTypes: true })) {
        const p = `${dir}/${e.name}`;
        if (e.isDirectory()) walk(p);
        else if (e.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
      }
    };
    for (const d of ['companion', 'shared']) if (existsSync(`${root}${d}`)) walk(`${root}${d}`);
    if (newest > info.newestSourceMtimeMs) console.error('painterly: note: sources changed since the last build; run `npm run build` to use them.');
  } catch {
    /* no build info or no sources (an installed package): nothing to compare */
  }
}
