// `npm run gpu-check:pack -- [--kit DIR] [--example K] [--out .gpucheck]` prepares what a lent
// GPU machine needs to run the check, in the git-ignored folder .gpucheck/ (see
// docs/gpu-check.md): such a machine gets the repository's working tree and nothing else — no
// npm, no node_modules, maybe no Node, no kit. So:
//   .gpucheck/runtime.tar.xz — Node (this machine's binary), the companion, shared/, bench/ and
//                              eval/ as built JavaScript (esbuild, one file per source), and
//                              the node_modules they import (ONNX Runtime's Linux x64 binaries only);
//   .gpucheck/kit/           — the example and the weights the harmonization stages read,
//                              with the kit's layout (the check's --kit).
// scripts/gpu-check-on-device.sh unpacks and runs it there. The working tree that travels is
// limited to 64 MiB; this prints what the pieces weigh.
import { spawnSync } from 'node:child_process';
import { copyFileSync, cpSync, existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { KIT } from '../../eval/shared-kit.js';
import { kitPaths } from './kit.js';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SOURCES = ['companion', 'shared', 'bench', 'eval'];
const ENTRIES = ['bench/gpu-check/main.ts', 'bench/gpu-check/worker.ts', 'bench/gpu-check/run-stages.ts', 'companion/image/patchmatch-worker.ts', 'companion/pipeline/photo-style/smoothing-worker.ts'];
const LIMIT = 64 * 2 ** 20;

function sourcesUnder(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = path.join(dir, e.name);
    if (e.isDirectory()) return sourcesUnder(rel);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [rel] : [];
  });
}

/** The packages the check's code imports at run time (what esbuild sees from its entry points). */
async function importedPackages(): Promise<string[]> {
  const r = await esbuild.build({ entryPoints: ENTRIES.map((e) => path.join(ROOT, e)), bundle: true, write: false, metafile: true, platform: 'node', format: 'esm', outdir: '/nonexistent', packages: 'external', logLevel: 'error' });
  const names = new Set<string>();
  for (const input of Object.values(r.metafile.inputs)) {
    for (const imp of input.imports) {
      if (!imp.external || imp.path.startsWith('node:')) continue;
      const parts = imp.path.split('/');
      names.add(imp.path.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]);
    }
  }
  return [...names].sort();
}

/** A package's folder as Node resolves it from `fromDir` (nested node_modules first). */
function packageDir(name: string, fromDir: string): string | undefined {
  for (let dir = fromDir; ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    if (dir === path.dirname(dir)) return undefined;
  }
}

/** The packages' folders and everything they depend on (dependencies and installed optional ones). */
function closure(names: string[]): string[] {
  const dirs = new Set<string>();
  const visit = (name: string, from: string): void => {
    const dir = packageDir(name, from);
    if (!dir || dirs.has(dir)) return;
    dirs.add(dir);
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string>; optionalDependencies?: Record<string, string> };
    for (const dep of Object.keys({ ...pkg.dependencies, ...pkg.optionalDependencies })) visit(dep, dir);
  };
  for (const n of names) visit(n, ROOT);
  // A package inside another's nested node_modules travels with it.
  return [...dirs].filter((d) => ![...dirs].some((o) => o !== d && d.startsWith(`${o}${path.sep}`))).sort();
}

/** Skips ONNX Runtime's binaries for other platforms (two thirds of the package) and command links. */
function keep(src: string): boolean {
  if (/[\\/]node_modules[\\/]\.bin([\\/]|$)/.test(src)) return false;
  const m = /onnxruntime-node[\\/]bin[\\/]napi-v\d+[\\/]([^\\/]+)(?:[\\/]([^\\/]+))?/.exec(src);
  if (!m) return true;
  if (m[1] !== 'linux') return false;
  return m[2] === undefined || m[2] === 'x64';
}

function size(p: string): number {
  const s = statSync(p);
  return s.isDirectory() ? readdirSync(p).reduce((a, e) => a + size(path.join(p, e)), 0) : s.size;
}

const mib = (n: number): string => `${(n / 2 ** 20).toFixed(1)} MiB`;

async function main(): Promise<void> {
  const { values: v } = parseArgs({ options: { kit: { type: 'string', default: KIT }, example: { type: 'string', default: '16' }, out: { type: 'string', default: '.gpucheck' } } });
  if (process.platform !== 'linux' || process.arch !== 'x64') throw new Error(`The GPU machine is Linux x64; this Node is ${process.platform} ${process.arch}, whose binary would not run there.`);
  const out = path.resolve(ROOT, v.out!);
  const stage = path.join(out, 'stage');
  rmSync(out, { recursive: true, force: true });
  mkdirSync(stage, { recursive: true });

  // 1. The code, as JavaScript with the repository's layout (workers sit beside their callers).
  const app = path.join(stage, 'app');
  await esbuild.build({ entryPoints: SOURCES.flatMap(sourcesUnder).map((f) => path.join(ROOT, f)), outdir: app, outbase: ROOT, bundle: false, format: 'esm', platform: 'node', target: 'node20', logLevel: 'warning' });
  writeFileSync(path.join(app, 'package.json'), `${JSON.stringify({ name: 'painterly-gpu-check', private: true, type: 'module' }, null, 2)}\n`);
  // 2. What it imports.
  const packages = await importedPackages();
  for (const dir of closure(packages)) {
    cpSync(dir, path.join(app, path.relative(ROOT, dir)), { recursive: true, filter: keep, verbatimSymlinks: true });
  }
  // 3. Node itself.
  mkdirSync(path.join(stage, 'node', 'bin'), { recursive: true });
  copyFileSync(process.execPath, path.join(stage, 'node', 'bin', 'node'));
  // 4. One archive (xz: Node and ONNX Runtime shrink to a third).
  const tar = spawnSync('sh', ['-c', `tar -C "${stage}" -cf - app node | xz -T0 -6 > "${path.join(out, 'runtime.tar.xz')}"`], { stdio: 'inherit' });
  if (tar.status !== 0) throw new Error('tar | xz failed');
  rmSync(stage, { recursive: true, force: true });

  // 5. The kit's files for the harmonization stages.
  const example = Number(v.example);
  const missing: string[] = [];
  for (const { rel } of kitPaths(example)) {
    const src = path.join(path.resolve(v.kit!), rel);
    if (!existsSync(src)) {
      missing.push(rel);
      continue;
    }
    mkdirSync(path.dirname(path.join(out, 'kit', rel)), { recursive: true });
    copyFileSync(src, path.join(out, 'kit', rel));
  }

  const tracked = spawnSync('git', ['ls-files', '-z'], { cwd: ROOT, encoding: 'utf8' }).stdout.split('\0').filter(Boolean).reduce((a, f) => a + (existsSync(path.join(ROOT, f)) ? statSync(path.join(ROOT, f)).size : 0), 0);
  const gl = existsSync(path.join(ROOT, '.gl')) ? size(path.join(ROOT, '.gl')) : 0;
  const runtime = size(path.join(out, 'runtime.tar.xz'));
  const kit = existsSync(path.join(out, 'kit')) ? size(path.join(out, 'kit')) : 0;
  const total = tracked + gl + runtime + kit;
  console.log(`packages: ${packages.join(', ')}`);
  console.log(`runtime.tar.xz ${mib(runtime)}, kit ${mib(kit)}${missing.length ? ` (missing: ${missing.join(', ')})` : ''}, .gl ${gl ? mib(gl) : 'absent'}, tracked files ${mib(tracked)}: ${mib(total)} of the ${mib(LIMIT)} that travel`);
  if (!gl) console.log('No .gl/ yet: download the Vulkan loader (docs/gpu-check.md) before the run.');
  if (total > LIMIT) {
    console.error('Too large to travel: drop the kit (--kit /nonexistent; the check then skips the quality and comparison runs) or untracked files.');
    process.exitCode = 1;
  }
}

await main();
