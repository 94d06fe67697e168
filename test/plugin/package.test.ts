// `npm run package`: the plugin folder is built, zipped into a .ccx, and the archive holds what
// Photoshop needs: manifest at the root, the files it names, icons at the sizes it declares.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import sharp from 'sharp';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PORT, PANEL_PORTS } from '../../shared/protocol.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
let tmp: string;
let zip: JSZip;
let manifest: Record<string, any>;

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'painterly-ccx-'));
  const run = (script: string, ...args: string[]) => execFileSync(process.execPath, [path.join(repoRoot, 'scripts', script), ...args], { cwd: repoRoot, stdio: 'pipe' });
  run('build-plugin.mjs', '--out', path.join(tmp, 'plugin'));
  run('package-plugin.mjs', '--from', path.join(tmp, 'plugin'), '--out', path.join(tmp, 'painterly.ccx'));
  zip = await JSZip.loadAsync(readFileSync(path.join(tmp, 'painterly.ccx')));
  manifest = JSON.parse(await zip.file('manifest.json')!.async('string'));
});

afterAll(() => {
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

/** The files an icon entry stands for: UXP adds @1x / @2x before the extension. */
function iconFiles(icon: { path: string; scale: number[] }): { file: string; scale: number }[] {
  return icon.scale.map((scale) => ({ file: icon.path.replace(/\.png$/, `@${scale}x.png`), scale }));
}

describe('the .ccx package', () => {
  it('has the manifest at its root and the panel files it names', () => {
    const files = Object.keys(zip.files).filter((f) => !zip.files[f].dir);
    expect(files).toEqual(expect.arrayContaining(['manifest.json', 'index.html', 'main.js', 'panel.css']));
    expect(files.every((f) => !f.startsWith('/') && !f.includes('..'))).toBe(true);
    expect(zip.file(manifest.main)).not.toBeNull();
  });

  it('carries the repository manifest unchanged', () => {
    expect(manifest).toEqual(JSON.parse(readFileSync(path.join(repoRoot, 'manifest.json'), 'utf8')));
  });

  it('declares a manifest v5 Photoshop 25+ plugin with one panel', () => {
    expect(manifest.manifestVersion).toBe(5);
    expect(manifest.host).toMatchObject({ app: 'PS', minVersion: '25.0.0' });
    expect(manifest.version).toMatch(/^\d+\.\d+\.\d+$/);
    expect(manifest.entrypoints).toHaveLength(1);
    const panel = manifest.entrypoints[0];
    expect(panel.type).toBe('panel');
    expect(panel.label.default).toBe('Painterly');
    for (const key of ['minimumSize', 'maximumSize', 'preferredDockedSize', 'preferredFloatingSize']) {
      expect(panel[key]).toEqual({ width: expect.any(Number), height: expect.any(Number) });
    }
    // Docked narrow and floating wide are both within the panel's limits.
    expect(panel.minimumSize.width).toBeLessThanOrEqual(240);
    expect(panel.maximumSize.width).toBeGreaterThanOrEqual(panel.preferredFloatingSize.width);
  });

  it('may reach only the companion on loopback, at the ports the panel offers (WebSocket, and HTTP to tell a refusal from silence)', () => {
    const domains = manifest.requiredPermissions.network.domains as string[];
    expect(Object.keys(manifest.requiredPermissions)).toEqual(['network']);
    for (const port of PANEL_PORTS) expect(domains).toEqual(expect.arrayContaining([`ws://127.0.0.1:${port}`, `http://127.0.0.1:${port}`]));
    expect(domains).toContain(`ws://localhost:${DEFAULT_PORT}`);
    expect(domains.every((d) => /^(ws|http):\/\/(127\.0\.0\.1|localhost):\d+$/.test(d))).toBe(true);
    expect(PANEL_PORTS[0]).toBe(DEFAULT_PORT);
  });

  it('contains every icon the manifest names, as PNGs of the declared size', async () => {
    const icons = [...manifest.icons, ...manifest.entrypoints[0].icons];
    expect(manifest.entrypoints[0].icons.map((i: { theme: string[] }) => i.theme).flat()).toEqual(expect.arrayContaining(['darkest', 'dark', 'medium', 'light', 'lightest']));
    for (const icon of icons) {
      for (const { file, scale } of iconFiles(icon)) {
        const entry = zip.file(file);
        expect(entry, file).not.toBeNull();
        const meta = await sharp(await entry!.async('nodebuffer')).metadata();
        expect([meta.format, meta.width, meta.height]).toEqual(['png', icon.width * scale, icon.height * scale]);
      }
    }
  });

  it('bundles the panel with photoshop and uxp left to UXP’s require, and nothing from Node', async () => {
    const js = await zip.file('main.js')!.async('string');
    expect(js).toContain('__require("photoshop")');
    expect(js).toContain('__require("uxp")');
    expect(js).not.toMatch(/require\("(node:)?(fs|path|os|net|http|crypto|child_process)"\)/);
    const html = await zip.file('index.html')!.async('string');
    expect(html).toContain('<script src="main.js"></script>');
    expect(html).toContain('href="panel.css"');
  });
});
