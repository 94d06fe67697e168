// End to end in headless Chromium: the built panel (dist/plugin layout, built fresh into a temp
// folder) with the fake Photoshop injected, talking to a companion running as its own process
// on loopback (the real `painterly serve` with the kit's SqueezeNet and small job settings;
// support/panel-e2e.ts). Screenshots go to test-results/panel/ for people to look at.
import net from 'node:net';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { PageConfig } from './support/fake-page.js';
import { poll, probe, SCENE, shot, startE2E, text, type E2E } from './support/panel-e2e.js';

/** The cancel test's job: long enough to be stopped mid-run. */
const LONG_JOB = { size: 128, pass1Iters: 3000, pass2Iters: 3000 };

let e2e: E2E;
let token: string;
let proxy: { url: string; strippedOrigins: string[] };

async function closedPort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

const openPanel = (config: Omit<PageConfig, 'css' | 'scene'>, width = 240): Promise<Page> => e2e.openPanel(config, width);

beforeAll(async () => {
  e2e = await startE2E();
  token = e2e.token;
  proxy = { url: e2e.url, strippedOrigins: e2e.strippedOrigins };
});

afterAll(async () => {
  await e2e?.close();
});

type LayerInfo = { id: number; name: string; visible: boolean; bounds: { left: number; top: number; right: number; bottom: number } };

describe('the panel in Chromium with the real companion and pipeline', () => {
  it('pairs, harmonizes with progress, adds one layer in one history step, and toggles it', async () => {
    const page = await openPanel({ url: proxy.url });
    await poll(() => text(page, 'status-title')).toBe('Pair with the companion');
    await shot(page, 'unpaired');
    // Pair with nothing in the field, then with a wrong token: each is answered in words.
    await page.click('#pair-button');
    await poll(() => text(page, 'status-title')).toBe('Paste the token into the field first');
    await shot(page, 'pair-empty');
    await page.locator('#token-field input').fill('0'.repeat(64));
    await page.click('#pair-button');
    await poll(() => text(page, 'status-title')).toBe('That token was not accepted: check it is the whole token');
    await shot(page, 'pair-wrong');
    await page.locator('#token-field input').fill(token);
    await page.click('#pair-button');
    await poll(() => text(page, 'status-title')).toBe('Connected');
    // The token leaves the field once tried, and is never shown whole again.
    expect(await page.locator('#token-field input').inputValue()).toBe('');
    expect(await text(page, 'status-detail')).toMatch(new RegExp(`paired \\(token …${token.slice(-4)}\\)`));
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
    const scopes = await probe<string[]>(page, '__probe.modalLog()');
    expect(scopes.at(-1)).toBe('Painterly: add result layer');
    expect(new Set(scopes.slice(0, -1))).toEqual(new Set(['Painterly: read pixels']));
    expect(await probe<{ overflowCloses: number }>(page, '__probe.socket()')).toMatchObject({ overflowCloses: 0 });
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

  it('connects straight to the companion with its token whatever the browser\'s Origin, and says "refused" without one', async () => {
    const paired = await openPanel({ url: e2e.companionUrl, token });
    await poll(() => text(paired, 'status-title')).toBe('Connected');
    await paired.close();
    // Without a token the browser's file: Origin is refused before any WebSocket; plain HTTP still answers.
    const page = await openPanel({ url: e2e.companionUrl });
    await poll(() => text(page, 'status-title')).toBe('The companion refused this connection');
    expect(await page.locator('#port-row').isVisible()).toBe(true);
    await shot(page, 'refused');
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
