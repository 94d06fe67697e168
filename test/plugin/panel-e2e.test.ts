// End to end in headless Chromium: the built panel (dist/plugin layout, built fresh into a temp
// folder) with the fake Photoshop injected, talking to a companion running as its own process
// on loopback (the real `painterly serve` with the kit's SqueezeNet and small job settings).
// Screenshots go to test-results/panel/ for people to look at.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import * as esbuild from 'esbuild';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/chromium.js';
import type { PageConfig } from './support/fake-page.js';
import { startOriginProxy, type OriginProxy } from './support/origin-proxy.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const SHOTS = path.join(repoRoot, 'test-results/panel');
const SCENE = { width: 160, height: 120, object: { left: 58, top: 40, right: 102, bottom: 78 } };

let tmp: string;
let browser: Browser;
let companion: ChildProcess;
let token: string;
let proxy: OriginProxy;
let pageScript: string;
let css: string;
let panelUrl: string;

/**
 * Starts the real companion (`painterly serve`) with a temporary config folder and a model cache
 * holding the kit's SqueezeNet, and reads the address and token it prints.
 */
function startCompanion(dir: string): Promise<{ port: number; token: string }> {
  const env = { ...process.env, PAINTERLY_CONFIG_DIR: path.join(dir, 'config'), PAINTERLY_CACHE_DIR: path.join(dir, 'cache') };
  execFileSync(process.execPath, ['bin/painterly.js', 'models', 'import', path.resolve(repoRoot, '../shared/weights/squeezenet1_1.safetensors')], { cwd: repoRoot, env, stdio: 'pipe' });
  const child = spawn(process.execPath, ['bin/painterly.js', 'serve', '--port', '0', '--device', 'cpu'], { cwd: repoRoot, env, stdio: ['ignore', 'pipe', 'inherit'] });
  companion = child;
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`The companion exited with ${code} before listening:\n${out}`)));
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const port = /listening on ws:\/\/127\.0\.0\.1:(\d+)/.exec(out)?.[1];
      const tok = /pairing token: ([0-9a-f]+)/.exec(out)?.[1];
      if (port && tok) resolve({ port: Number(port), token: tok });
    });
  });
}

/** A small job for the real pipeline, long enough (a few seconds) to watch it run; the cancel test uses a long one. */
const QUICK_JOB = { size: 96, pass1Iters: 40, pass2Iters: 40, stage1Iters: 10, stage2Iters: 10 };
const LONG_JOB = { size: 128, pass1Iters: 3000, pass2Iters: 3000 };

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

async function openPanel(config: Omit<PageConfig, 'css' | 'scene'>, width = 240): Promise<Page> {
  config = { jobOverrides: QUICK_JOB, ...config };
  const page = await browser.newPage({ viewport: { width, height: 720 } });
  page.on('pageerror', (e) => console.error('panel error:', e));
  await page.addInitScript(`window.__painterlyTest = ${JSON.stringify({ ...config, css, scene: SCENE })};`);
  await page.addInitScript(pageScript);
  await page.goto(panelUrl);
  return page;
}

const probe = <T>(page: Page, expr: string): Promise<T> => page.evaluate(expr) as Promise<T>;
const shot = (page: Page, name: string) => page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
const text = (page: Page, id: string) => page.locator(`#${id}`).innerText();
/** Waits for a condition in the page; generous, as CI machines can be slow. */
const poll = <T>(fn: () => Promise<T>, timeout = 15_000) => expect.poll(fn, { timeout, interval: 50 });

beforeAll(async () => {
  tmp = mkdtempSync(path.join(os.tmpdir(), 'painterly-e2e-'));
  mkdirSync(SHOTS, { recursive: true });
  execFileSync(process.execPath, ['scripts/build-plugin.mjs', '--out', path.join(tmp, 'plugin')], { cwd: repoRoot, stdio: 'pipe' });
  panelUrl = pathToFileURL(path.join(tmp, 'plugin/index.html')).href;
  const bundle = await esbuild.build({ entryPoints: [path.join(repoRoot, 'test/plugin/support/fake-page.ts')], bundle: true, format: 'iife', platform: 'browser', target: 'es2020', write: false, logLevel: 'silent' });
  pageScript = bundle.outputFiles[0].text;
  css = readFileSync(path.join(repoRoot, 'test/plugin/support/spectrum-stub.css'), 'utf8');
  const started = await startCompanion(tmp);
  token = started.token;
  proxy = await startOriginProxy(started.port);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await proxy?.close();
  companion?.kill('SIGTERM');
  if (tmp) rmSync(tmp, { recursive: true, force: true });
});

type LayerInfo = { id: number; name: string; visible: boolean; bounds: { left: number; top: number; right: number; bottom: number } };

describe('the panel in Chromium with the real companion and pipeline', () => {
  it('pairs, harmonizes with progress, adds one layer in one history step, and toggles it', async () => {
    const page = await openPanel({ url: proxy.url });
    await poll(() => text(page, 'status-title')).toBe('Pair with the companion');
    await shot(page, 'unpaired');
    await page.locator('#token-field input').fill(token);
    await page.click('#pair-button');
    await poll(() => text(page, 'status-title')).toBe('Connected');
    // The browser's Origin was taken off on the way, as UXP would not send it.
    expect(proxy.strippedOrigins.length).toBeGreaterThan(0);
    expect(proxy.strippedOrigins.every((o) => o === 'null' || o.startsWith('file:'))).toBe(true);
    expect(await text(page, 'pasted-name')).toBe('Pasted object');
    await page.click('.preset[data-tau="10"]');
    expect(await text(page, 'tau-value')).toBe('τ = 10');
    await shot(page, 'idle');

    const before = { composite: await probe<number[]>(page, '__probe.composite()'), history: await probe<string[]>(page, '__probe.history()') };
    const selection = (await probe<{ selection: LayerInfo['bounds'] }>(page, '__probe.scene()')).selection;
    await page.click('#harmonize');
    await poll(() => page.locator('#progress-bar').getAttribute('value')).not.toBe('0');
    await page.locator('#preview').waitFor({ state: 'visible', timeout: 20_000 });
    expect(await page.locator('#preview').evaluate((img: HTMLImageElement) => img.complete && img.naturalWidth > 0)).toBe(true);
    expect(await probe<boolean>(page, '__probe.modalActive()')).toBe(false); // Photoshop is free while the companion works
    expect(await text(page, 'progress-label')).toMatch(/Pass [12] of 2/);
    await shot(page, 'running');

    await page.locator('#outcome').waitFor({ state: 'visible', timeout: 60_000 });
    expect(await page.locator('#outcome').getAttribute('data-kind')).toBe('done');
    await shot(page, 'done');
    await page.setViewportSize({ width: 400, height: 720 });
    await shot(page, 'done-floating');

    const layers = await probe<LayerInfo[]>(page, '__probe.layers()');
    expect(layers.map((l) => l.name)).toEqual(['Harmonized', 'Pasted object', 'Painting']);
    expect(layers[0].bounds).toMatchObject(selection);
    expect((await probe<string[]>(page, '__probe.history()')).slice(before.history.length)).toEqual(['Harmonize']);
    expect(await probe<string[]>(page, '__probe.modalLog()')).toEqual(['Painterly: read layers', 'Painterly: add result layer']);
    expect(await probe<number>(page, '__probe.liveImageData()')).toBe(0);
    const after = await probe<number[]>(page, '__probe.composite()');
    let changedInside = 0;
    let changedOutside = 0;
    for (let y = 0; y < SCENE.height; y++) {
      for (let x = 0; x < SCENE.width; x++) {
        const inside = x >= selection.left && x < selection.right && y >= selection.top && y < selection.bottom;
        for (let c = 0; c < 3; c++) {
          const i = (y * SCENE.width + x) * 4 + c;
          if (after[i] !== before.composite[i]) (inside ? changedInside++ : changedOutside++);
        }
      }
    }
    expect(changedOutside).toBe(0);
    expect(changedInside).toBeGreaterThan(0.9 * 3 * (selection.right - selection.left) * (selection.bottom - selection.top));

    // Show result off: the document looks as before; on again: harmonized.
    await page.click('#show-result');
    await poll(() => probe<LayerInfo[]>(page, '__probe.layers()').then((l) => l[0].visible)).toBe(false);
    expect(await probe<number[]>(page, '__probe.composite()')).toEqual(before.composite);
    await page.click('#show-result');
    await poll(() => probe<LayerInfo[]>(page, '__probe.layers()').then((l) => l[0].visible)).toBe(true);

    // Photo style, offered by this companion: the reference layer replaces the painting.
    await page.locator('#mode select').selectOption({ label: 'Photo style' });
    await poll(() => text(page, 'harmonize')).toBe('Apply photo style');
    expect(await page.locator('#style-row').isVisible()).toBe(true);
    expect(await page.locator('#strength').isVisible()).toBe(false);
    await shot(page, 'photo-style-floating');

    // Restyle the active layer after the reference layer: a new layer in one history step.
    const styleBefore = { history: await probe<string[]>(page, '__probe.history()'), layers: await probe<LayerInfo[]>(page, '__probe.layers()') };
    await poll(() => page.locator('#harmonize').getAttribute('disabled')).toBeNull();
    await page.click('#harmonize');
    await poll(() => probe<LayerInfo[]>(page, '__probe.layers()').then((l) => l.length), 60_000).toBe(styleBefore.layers.length + 1);
    await poll(() => page.locator('#outcome').getAttribute('data-kind')).toBe('done');
    const styled = await probe<LayerInfo[]>(page, '__probe.layers()');
    expect(styled.length).toBe(styleBefore.layers.length + 1);
    expect(styled.some((l) => l.name === 'Photo style')).toBe(true);
    expect((await probe<string[]>(page, '__probe.history()')).slice(styleBefore.history.length)).toEqual(['Photo style']);
    await shot(page, 'photo-style-done');
    await page.close();
  });

  it('leaves the document unchanged when cancelled mid-run', async () => {
    const page = await openPanel({ url: proxy.url, token, jobOverrides: LONG_JOB });
    await poll(() => text(page, 'status-title')).toBe('Connected');
    const before = { composite: await probe<number[]>(page, '__probe.composite()'), history: await probe<string[]>(page, '__probe.history()'), layers: await probe<LayerInfo[]>(page, '__probe.layers()') };
    await page.click('#harmonize');
    await poll(() => page.locator('#progress-bar').getAttribute('value').then(Number), 60_000).toBeGreaterThan(2);
    await page.click('#cancel');
    await page.locator('#outcome').waitFor({ state: 'visible', timeout: 20_000 });
    expect(await page.locator('#outcome').getAttribute('data-kind')).toBe('cancelled');
    expect(await text(page, 'outcome-text')).toBe('Cancelled. The document was not changed.');
    await shot(page, 'cancelled');
    expect(await probe<LayerInfo[]>(page, '__probe.layers()')).toEqual(before.layers);
    expect(await probe<string[]>(page, '__probe.history()')).toEqual(before.history);
    expect(await probe<number[]>(page, '__probe.composite()')).toEqual(before.composite);
    expect(await page.locator('#harmonize').isVisible()).toBe(true);
    await page.close();
  });

  it('says how to start the companion when it is not running', async () => {
    const page = await openPanel({ url: `ws://127.0.0.1:${await closedPort()}`, token }, 240);
    await poll(() => text(page, 'status-title')).toBe('Companion not running');
    expect(await text(page, 'status-command-text')).toBe('npx painterly serve');
    expect(await page.locator('#harmonize').getAttribute('disabled')).not.toBeNull();
    await shot(page, 'error');
    await page.close();
  });
});
