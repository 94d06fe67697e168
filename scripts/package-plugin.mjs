#!/usr/bin/env node
// Zips the built plugin folder into a .ccx (a zip with manifest.json at its root), the file a
// user double-clicks to install the plugin through Creative Cloud.
//   node scripts/package-plugin.mjs [--from dist/plugin] [--out dist/painterly.ccx]
import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import JSZip from 'jszip';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

// A fixed timestamp makes the archive depend on the files only.
const FIXED_DATE = new Date(Date.UTC(2024, 0, 1));

async function listFiles(dir, prefix = '') {
  const out = [];
  for (const entry of (await readdir(dir, { withFileTypes: true })).sort((a, b) => a.name.localeCompare(b.name))) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) out.push(...(await listFiles(path.join(dir, entry.name), rel)));
    else if (entry.isFile()) out.push(rel);
  }
  return out;
}

export async function packagePlugin({ from = path.join(root, 'dist/plugin'), out = path.join(root, 'dist/painterly.ccx') } = {}) {
  const manifestPath = path.join(from, 'manifest.json');
  if (!(await stat(manifestPath).catch(() => null))) {
    throw new Error(`${path.relative(process.cwd(), manifestPath)} does not exist: run node scripts/build-plugin.mjs first.`);
  }
  const zip = new JSZip();
  const files = await listFiles(from);
  for (const rel of files) zip.file(rel, await readFile(path.join(from, rel)), { date: FIXED_DATE });
  const bytes = await zip.generateAsync({ type: 'uint8array', compression: 'DEFLATE', compressionOptions: { level: 9 }, platform: 'UNIX' });
  await mkdir(path.dirname(out), { recursive: true });
  await writeFile(out, bytes);
  return { out, files };
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { from: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean' } } });
  if (values.help) {
    console.log('Usage: node scripts/package-plugin.mjs [--from DIR] [--out FILE]\nZips the built plugin (default dist/plugin) into dist/painterly.ccx.');
  } else {
    try {
      const { out, files } = await packagePlugin({
        from: values.from ? path.resolve(values.from) : undefined,
        out: values.out ? path.resolve(values.out) : undefined,
      });
      console.log(`Wrote ${path.relative(process.cwd(), out)} (${files.length} files)`);
    } catch (e) {
      console.error(`package-plugin: ${e.message}`);
      process.exitCode = 1;
    }
  }
}
