// The repository's shape, checked on the source: imports go one way (no two modules import each
// other, directly or round a longer loop, type-only imports included), every source file stays
// under the size budget, and the README stays a front door whose set-up is what CI runs.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const SOURCE_DIRS = ['companion', 'shared', 'plugin', 'bench', 'eval', 'scripts', 'bin', 'test'];
/** Lines a source file may have: split by concern before this (../shared/docs/STYLE.md). */
const MAX_LINES = 400;
const README_MAX_LINES = 200;

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(rel);
    return /\.(ts|js|mjs)$/.test(e.name) ? [rel] : [];
  });
}

const files = SOURCE_DIRS.flatMap(sources);
const text = new Map(files.map((f) => [f, readFileSync(path.join(root, f), 'utf8')]));
const stem = (rel: string) => rel.replace(/\.(ts|js|mjs)$/, '');
const known = new Set(files.map(stem));

/** Every relative module a file imports (static, type-only, dynamic, re-export), as repository stems. */
function importsOf(rel: string, source: string): string[] {
  const specs = [...source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"](\.{1,2}\/[^'"]+)['"]/gm)].map((m) => m[1]);
  return [...new Set(specs.map((s) => stem(path.posix.normalize(path.posix.join(path.posix.dirname(rel), s)))))];
}

/** The import loops among `graph`'s modules: its strongly connected components of more than one module. */
function importCycles(graph: Map<string, string[]>): string[][] {
  let next = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    index.set(v, next);
    low.set(v, next++);
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) low.set(v, Math.min(low.get(v)!, index.get(w)!));
    }
    if (low.get(v) !== index.get(v)) return;
    const component: string[] = [];
    let w: string;
    do {
      w = stack.pop()!;
      onStack.delete(w);
      component.push(w);
    } while (w !== v);
    if (component.length > 1) cycles.push(component.sort());
  };
  for (const v of graph.keys()) if (!index.has(v)) visit(v);
  return cycles;
}

describe('imports', () => {
  const graph = new Map(files.map((f) => [stem(f), importsOf(f, text.get(f)!).filter((t) => known.has(t))]));

  it('finds the loops it looks for', () => {
    const planted = new Map([['a', ['b']], ['b', ['c']], ['c', ['a']], ['d', ['a']], ['e', ['e2']], ['e2', ['e']]]);
    expect(importCycles(planted)).toEqual(expect.arrayContaining([['a', 'b', 'c'], ['e', 'e2']]));
    expect(importCycles(planted)).toHaveLength(2);
    expect(importsOf('companion/cli/x.ts', "import type { A } from './a.js';\nconst m = await import('../b.js');")).toEqual(['companion/cli/a', 'companion/b']);
    expect(graph.get('companion/cli/main')).toContain('shared/errors');
  });

  it('go one way: no module imports another that imports it back, by any route', () => {
    expect(importCycles(graph)).toEqual([]);
  });
});

describe('sizes', () => {
  it(`keeps every source file under ${MAX_LINES} lines`, () => {
    const long = files.map((f) => ({ f, lines: text.get(f)!.split('\n').length - 1 })).filter((x) => x.lines > MAX_LINES);
    expect(long).toEqual([]);
  });
});

describe('README', () => {
  const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
  const ci = readFileSync(path.join(root, '.ci/run'), 'utf8');

  it(`is a front door of under ${README_MAX_LINES} lines`, () => {
    expect(readme.split('\n').length).toBeLessThan(README_MAX_LINES);
  });

  it('gives the two set-up commands, and CI runs its test command', () => {
    expect(readme).toMatch(/^npm install && npm start\b/m);
    expect(readme).toMatch(/^npm test\b/m);
    expect(ci).toMatch(/^npm test$/m);
  });

  it('links only to files that exist', () => {
    const links = [...readme.matchAll(/\]\(([^)#\s]+)(?:#[^)]*)?\)/g)].map((m) => m[1]).filter((l) => !/^[a-z]+:/.test(l));
    expect(links.length).toBeGreaterThan(3);
    const missing = links.filter((l) => {
      try {
        readFileSync(path.join(root, l));
        return false;
      } catch (e) {
        return (e as NodeJS.ErrnoException).code !== 'EISDIR';
      }
    });
    expect(missing).toEqual([]);
  });
});
