#!/usr/bin/env node
// Builds the Photoshop plugin folder (default dist/plugin): manifest, HTML, CSS, the bundled
// panel (esbuild, `photoshop` and `uxp` left to UXP's require) and PNG icons rendered from
// plugin/icons/painterly.svg with sharp. Point the UXP Developer Tool at the folder's manifest.
//   node scripts/build-plugin.mjs [--out DIR] [--watch]
import { copyFile, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import sharp from 'sharp';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** Icon files the manifest names (UXP appends @1x / @2x to each path). */
const ICONS = [
  // Plugins panel list: 24 px, one look for every theme.
  { name: 'plugin', size: 24, ink: '#b9b9b9', accent: '#e8a33d' },
  // Panel tab icons: 23 px, light strokes on dark themes, dark strokes on light ones.
  { name: 'panel-dark', size: 23, ink: '#d0d0d0', accent: '#e8a33d' },
  { name: 'panel-light', size: 23, ink: '#4b4b4b', accent: '#c27712' },
];

export async function buildPlugin({ outDir = path.join(root, 'dist/plugin'), watch = false } = {}) {
  await rm(outDir, { recursive: true, force: true });
  await mkdir(path.join(outDir, 'icons'), { recursive: true });

  const manifest = JSON.parse(await readFile(path.join(root, 'manifest.json'), 'utf8'));
  await writeFile(path.join(outDir, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  await copyFile(path.join(root, 'plugin/index.html'), path.join(outDir, 'index.html'));
  await copyFile(path.join(root, 'plugin/panel.css'), path.join(outDir, 'panel.css'));

  const svg = await readFile(path.join(root, 'plugin/icons/painterly.svg'), 'utf8');
  for (const icon of ICONS) {
    const colored = Buffer.from(svg.replaceAll('{{INK}}', icon.ink).replaceAll('{{ACCENT}}', icon.accent));
    for (const scale of [1, 2]) {
      const px = icon.size * scale;
      await sharp(colored, { density: 72 * 4 }).resize(px, px).png().toFile(path.join(outDir, 'icons', `${icon.name}@${scale}x.png`));
    }
  }

  const options = {
    entryPoints: [path.join(root, 'plugin/main.ts')],
    outfile: path.join(outDir, 'main.js'),
    bundle: true,
    format: 'iife',
    platform: 'browser',
    // UXP's JavaScript engine is a recent V8; es2020 keeps the output plain.
    target: 'es2020',
    // Provided by UXP through its global require().
    external: ['photoshop', 'uxp'],
    legalComments: 'none',
    logLevel: 'warning',
  };
  if (watch) {
    const ctx = await esbuild.context(options);
    await ctx.watch();
    return { outDir, ctx };
  }
  await esbuild.build(options);
  return { outDir };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string' }, watch: { type: 'boolean' }, help: { type: 'boolean' } } });
  if (values.help) {
    console.log('Usage: node scripts/build-plugin.mjs [--out DIR] [--watch]\nBuilds the Photoshop plugin folder (default dist/plugin).');
  } else {
    const { outDir } = await buildPlugin({ outDir: values.out ? path.resolve(values.out) : undefined, watch: values.watch });
    console.log(`Plugin built in ${path.relative(process.cwd(), outDir) || '.'}${values.watch ? ' (watching for changes)' : ''}`);
  }
}
