#!/usr/bin/env node
// Builds the companion (companion/ and shared/) into build/ as plain JavaScript, one file per
// source file (esbuild, no bundling): the layout stays the same, so worker modules and lazily
// imported pipelines sit where the code looks for them. `npm install` runs this (prepare) and
// bin/painterly.js runs build/, so the companion never compiles TypeScript at run time (no
// loader, no compile cache in a shared temp folder that another local user could plant code in).
//   node scripts/build-companion.mjs [--out DIR] [--quiet]
import { readdirSync, statSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** The folders that make up the companion at run time. */
export const SOURCE_DIRS = ['companion', 'shared'];

/** Every TypeScript source file under the companion's folders (absolute paths). */
export function companionSources(base = root) {
  const out = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.ts') && !e.name.endsWith('.d.ts')) out.push(p);
    }
  };
  for (const d of SOURCE_DIRS) walk(path.join(base, d));
  return out.sort();
}

/** Newest modification time (ms) of the sources: the build records it, bin/painterly.js compares. */
export function newestSourceMtime(files) {
  let newest = 0;
  for (const f of files) newest = Math.max(newest, statSync(f).mtimeMs);
  return newest;
}

export async function buildCompanion({ base = root, outDir = path.join(base, 'build') } = {}) {
  const entryPoints = companionSources(base);
  // Built next to the target and swapped in, so a half-written build is never run.
  const tmp = `${outDir}.tmp-${process.pid}`;
  await rm(tmp, { recursive: true, force: true });
  await mkdir(tmp, { recursive: true });
  await esbuild.build({
    entryPoints,
    outdir: tmp,
    outbase: base,
    bundle: false,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    sourcemap: 'linked',
    logLevel: 'warning',
  });
  await writeFile(path.join(tmp, 'build-info.json'), `${JSON.stringify({ sources: entryPoints.length, newestSourceMtimeMs: newestSourceMtime(entryPoints) })}\n`);
  await rm(outDir, { recursive: true, force: true });
  await rename(tmp, outDir);
  return { outDir, files: entryPoints.length };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, quiet: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    console.log('Usage: node scripts/build-companion.mjs [--out DIR] [--quiet]\nBuilds the companion into build/ (plain JavaScript; npm install does this).');
  } else {
    const { outDir, files } = await buildCompanion({ outDir: values.out ? path.resolve(values.out) : undefined });
    if (!values.quiet) console.log(`Companion built: ${files} files in ${path.relative(process.cwd(), outDir) || '.'}`);
  }
}
