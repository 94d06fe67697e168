// The companion's layering, checked on the source (as test/plugin/boundaries.test.ts does for the
// panel): one runtime module; pipelines reach the runtime only through compute's runnable graphs
// and never reach up into the server or the CLI; the two pipelines share pipeline/common, not
// each other's internals; the server's parts never import its composer, nor the CLI's commands
// its dispatcher. Cycles and file sizes: test/layout.test.ts.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

function sources(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) => {
    const rel = `${dir}/${e.name}`;
    if (e.isDirectory()) return sources(rel);
    return /\.(ts|js|mjs)$/.test(e.name) ? [rel] : [];
  });
}

interface Source {
  rel: string;
  /** Every module it imports (static, type-only, dynamic, re-export), repository-relative when relative, else the package name. */
  imports: string[];
}

function read(rel: string): Source {
  const text = readFileSync(path.join(root, rel), 'utf8');
  const specs = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|^\s*import\s+)['"]([^'"]+)['"]/gm)].map((m) => m[1]);
  const imports = specs.map((s) => (s.startsWith('.') ? path.posix.normalize(path.posix.join(path.posix.dirname(rel), s)).replace(/\.js$/, '') : s));
  return { rel, imports };
}

const all = ['companion', 'shared', 'plugin', 'bench', 'eval', 'scripts', 'bin'].flatMap(sources).map(read);
const under = (prefix: string) => all.filter((f) => f.rel.startsWith(prefix));
const importing = (files: Source[], test: (target: string) => boolean) => files.filter((f) => f.imports.some(test)).map((f) => f.rel);

describe('companion boundaries', () => {
  it('finds the sources it checks', () => {
    expect(under('companion/pipeline/').length).toBeGreaterThan(20);
    expect(read('companion/pipeline/harmonize/harmonize.ts').imports).toContain('companion/compute/network');
  });

  it('lets only compute/backends/onnx.ts import onnxruntime-node', () => {
    expect(importing(all, (t) => t === 'onnxruntime-node' || t.startsWith('onnxruntime-node/'))).toEqual(['companion/compute/backends/onnx.ts']);
  });

  it('keeps the runtime module inside companion/compute/', () => {
    expect(importing(all.filter((f) => !f.rel.startsWith('companion/compute/')), (t) => t.startsWith('companion/compute/backends/'))).toEqual([]);
  });

  it('keeps companion/pipeline/ away from compute/backends/, the server and the CLI', () => {
    expect(importing(under('companion/pipeline/'), (t) => /^companion\/(compute\/backends|server|cli)\//.test(t))).toEqual([]);
  });

  it('keeps photo style and harmonization apart (shared parts live in pipeline/common/)', () => {
    const photo = under('companion/pipeline/photo-style/');
    const harmonize = under('companion/pipeline/harmonize/');
    expect(photo.length).toBeGreaterThan(5);
    expect(harmonize.length).toBeGreaterThan(15);
    expect(importing(photo, (t) => t.startsWith('companion/pipeline/harmonize/'))).toEqual([]);
    expect(importing(harmonize, (t) => t.startsWith('companion/pipeline/photo-style/'))).toEqual([]);
  });

  it('keeps pipeline/common/ below both pipelines', () => {
    expect(importing(under('companion/pipeline/common/'), (t) => /^companion\/pipeline\/(harmonize|photo-style)\//.test(t))).toEqual([]);
  });

  it('lets no part of the server import its composer, and no command the CLI\'s dispatcher', () => {
    expect(importing(under('companion/server/'), (t) => t === 'companion/server/server')).toEqual([]);
    expect(importing(under('companion/cli/'), (t) => t === 'companion/cli/main')).toEqual([]);
  });

  it('keeps helpers only the eval, benchmarks and tests use out of the companion', () => {
    // The companion ships; measures and synthetic weights live with their users (eval/, bench/).
    expect(importing(under('companion/'), (t) => /^(eval|bench|test)\//.test(t))).toEqual([]);
    expect(all.some((f) => f.rel === 'companion/image/metrics.ts')).toBe(false);
  });

  it('keeps the lower layers below: compute and image import no pipeline, server or CLI', () => {
    const lower = [...under('companion/compute/'), ...under('companion/image/')];
    expect(importing(lower, (t) => /^companion\/(pipeline|server|cli)\//.test(t))).toEqual([]);
    expect(importing(under('companion/image/'), (t) => t.startsWith('companion/compute/'))).toEqual([]);
  });
});
