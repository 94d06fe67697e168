// `npm install` must work offline apart from the npm registry and run only install scripts
// someone has looked at: every installed package with an install script has an entry in
// package.json's `allowScripts` (npm ≥ 11.16 reads it; npm 12 runs no script without one), and
// onnxruntime-node's, which downloads the CUDA provider from outside npm, is refused twice —
// there, and by `.npmrc` for the npm versions before allowScripts.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const pkg = JSON.parse(readFileSync(path.join(repoRoot, 'package.json'), 'utf8')) as { allowScripts?: Record<string, boolean> };

/** Names of the installed packages (at any depth) whose package.json has a preinstall, install or postinstall script. */
function packagesWithInstallScripts(dir: string, found = new Set<string>()): Set<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
    const at = path.join(dir, entry.name);
    if (entry.name.startsWith('@')) {
      packagesWithInstallScripts(at, found);
      continue;
    }
    const manifest = path.join(at, 'package.json');
    if (existsSync(manifest)) {
      const { name, scripts = {} } = JSON.parse(readFileSync(manifest, 'utf8')) as { name?: string; scripts?: Record<string, string> };
      if (name && ['preinstall', 'install', 'postinstall'].some((s) => scripts[s])) found.add(name);
    }
    const nested = path.join(at, 'node_modules');
    if (existsSync(nested)) packagesWithInstallScripts(nested, found);
  }
  return found;
}

describe('install scripts', () => {
  it('every installed package with one is approved or refused in allowScripts', () => {
    const withScripts = [...packagesWithInstallScripts(path.join(repoRoot, 'node_modules'))].sort();
    expect(withScripts).toContain('onnxruntime-node');
    const unreviewed = withScripts.filter((name) => typeof pkg.allowScripts?.[name] !== 'boolean');
    expect(unreviewed).toEqual([]);
  });

  it("refuses onnxruntime-node's CUDA download in allowScripts and in .npmrc", () => {
    expect(pkg.allowScripts?.['onnxruntime-node']).toBe(false);
    expect(readFileSync(path.join(repoRoot, '.npmrc'), 'utf8')).toMatch(/^onnxruntime-node-install=skip$/m);
  });
});
