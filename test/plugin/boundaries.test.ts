// The panel's layering, checked on the source: only the adapter touches Photoshop and UXP, and
// nothing in the panel reaches for Node or the companion (it runs inside Photoshop).
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const pluginDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../plugin');

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? sources(path.join(dir, e.name)) : e.name.endsWith('.ts') ? [path.join(dir, e.name)] : []));
}

const files = sources(pluginDir).map((file) => ({ rel: path.relative(pluginDir, file).split(path.sep).join('/'), text: readFileSync(file, 'utf8') }));

describe('plugin boundaries', () => {
  it('lets only photoshop/adapter.ts use the photoshop and uxp modules', () => {
    const host = /require\(\s*['"](photoshop|uxp)['"]\s*\)|from\s+['"](photoshop|uxp)['"]/;
    expect(files.filter((f) => host.test(f.text)).map((f) => f.rel)).toEqual(['photoshop/adapter.ts']);
  });

  it('imports nothing from Node or the companion', () => {
    const offending = files.filter((f) => /from\s+['"](node:|fs['"]|path['"]|ws['"]|[./]+\/companion\/)/.test(f.text)).map((f) => f.rel);
    expect(offending).toEqual([]);
  });

  it('keeps the view away from the adapter (view → controller → host interface)', () => {
    const viewImports = files.filter((f) => f.rel === 'view.ts' || f.rel === 'view-model.ts' || f.rel === 'state.ts').filter((f) => /photoshop\/adapter/.test(f.text));
    expect(viewImports).toEqual([]);
  });
});
