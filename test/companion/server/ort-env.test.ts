// ORT_DISABLE_TELEMETRY is set before ONNX Runtime's native binding loads, whatever the entry
// point: onnx.ts is the only module that imports onnxruntime-node and imports ort-env.ts first.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../../..');

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...sourceFiles(p));
    else if (/\.(ts|mts|js|mjs|cjs)$/.test(e.name)) out.push(p);
  }
  return out;
}

it('only onnx.ts imports onnxruntime-node, and its first import turns telemetry off', () => {
  const importers = ['companion', 'shared', 'bench', 'eval', 'scripts', 'test', 'bin']
    .flatMap((d) => sourceFiles(path.join(repoRoot, d)))
    .filter((f) => /from\s+['"]onnxruntime-node['"]|(require|import)\(\s*['"]onnxruntime-node['"]/.test(readFileSync(f, 'utf8')))
    .map((f) => path.relative(repoRoot, f));
  expect(importers).toEqual([path.join('companion', 'compute', 'backends', 'onnx.ts')]);
  const firstImport = /^import\s.*$/m.exec(readFileSync(path.join(repoRoot, importers[0]), 'utf8'))?.[0];
  expect(firstImport).toMatch(/^import '\.\/ort-env\.js';/);
});

it('the built companion has ORT_DISABLE_TELEMETRY=1 when the native binding loads, even if the environment lacks it or says 0', () => {
  // Records the variable at the moment the binding (a native addon) is opened.
  const hook = `const d = process.dlopen; process.dlopen = function (m, f, ...r) {
    if (String(f).includes('onnxruntime_binding')) process.stdout.write('at-load=' + process.env.ORT_DISABLE_TELEMETRY + '\\n');
    return d.call(this, m, f, ...r); };`;
  const onnx = pathToFileURL(path.join(repoRoot, 'build/companion/compute/backends/onnx.js')).href;
  for (const value of [undefined, '0']) {
    const env = { ...process.env };
    if (value === undefined) delete env.ORT_DISABLE_TELEMETRY;
    else env.ORT_DISABLE_TELEMETRY = value;
    const out = execFileSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(hook)}`, '--input-type=module', '-e', `await import(${JSON.stringify(onnx)});`], { env, encoding: 'utf8' });
    expect(out.trim()).toBe('at-load=1');
  }
});
