// The panel's model install end to end in headless Chromium: a companion with no model at all
// (the real `painterly serve`), whose downloads go to a local mirror (PAINTERLY_MODEL_BASE_URL,
// set where the companion starts, never by the panel) serving the kit's SqueezeNet as caffejs's
// blobs, slowly enough to watch. Offer, progress, one install at a time, cancel, resume, done,
// and a harmonization with the model just installed. Screenshots: test-results/panel/install-*.png.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MODEL_BASE_URL_ENV } from '../../companion/compute/weights/sources.js';
import { squeezenetCaffejsFiles, startModelMirror, type ModelMirror } from '../support/model-mirror.js';
import { poll, probe, shot, startE2E, text, type E2E } from './support/panel-e2e.js';

let mirror: ModelMirror;
let e2e: E2E;

beforeAll(async () => {
  mirror = await startModelMirror(await squeezenetCaffejsFiles(), 400_000);
  e2e = await startE2E({ squeezenet: false, env: { [MODEL_BASE_URL_ENV]: mirror.origin } });
});

afterAll(async () => {
  await e2e?.close();
  await mirror?.close();
});

const barValue = (page: Parameters<typeof text>[0]) => page.locator('#install-bar').getAttribute('value').then(Number);

describe('installing a model from the panel', () => {
  it('offers the recommended model, downloads one with progress, cancels, resumes, and its preset works', async () => {
    const page = await e2e.openPanel({ token: e2e.token });
    await poll(() => text(page, 'status-title')).toBe('Connected');

    // Nothing installed, a CPU: the panel offers VGG-19, whose Faster preset is the one to use here.
    await poll(() => page.locator('#install').isVisible()).toBe(true);
    expect(await text(page, 'install-title')).toBe('VGG-19 is not installed');
    expect(await text(page, 'install-detail')).toBe('80.1 MB download · for Best and Faster');
    expect(await text(page, 'install-license')).toMatch(/^Licence: CC BY 4\.0 .*CC BY-NC 4\.0/);
    expect(await text(page, 'blocker')).toBe('Faster (VGG-19, shallow) is not installed yet: click Install above.');
    expect(await page.locator('#harmonize').getAttribute('disabled')).not.toBeNull();
    expect(await page.locator('#backbone-command').isVisible()).toBe(false); // no terminal detour
    await shot(page, 'install-offer');

    // Draft (SqueezeNet): a missing model can be picked, to install it.
    await page.locator('#backbone select').selectOption({ label: 'Draft (SqueezeNet): not installed' });
    await poll(() => text(page, 'install-title')).toBe('SqueezeNet 1.1 is not installed');
    expect(await text(page, 'install-detail')).toBe('4.95 MB download · for Draft');
    expect(await text(page, 'install-license')).toContain('BSD-2-Clause');
    await page.click('#install-button');
    // The official caffemodel is not on this mirror: the panel says the next source is tried.
    await poll(() => text(page, 'install-note')).toMatch(/^Official SqueezeNet v1\.1 Caffe model .* failed: .* Trying the next source\.$/);
    await poll(() => barValue(page)).toBeGreaterThan(15);
    expect(await text(page, 'install-title')).toBe('Installing SqueezeNet 1.1');
    expect(await text(page, 'install-bar-label')).toBe('Downloading');
    // Bytes of the total, the speed (small blobs arrive faster than the mirror's pace for large ones) and the time left.
    await poll(() => text(page, 'install-bar-detail')).toMatch(/^\d+(\.\d+)? [kM]B of 4\.94 MB · \d+(\.\d+)? [kM]?B\/s · about \d+ (s|min) left$/);
    expect(await page.locator('#install-cancel').isVisible()).toBe(true);
    expect(await page.locator('#install-button').isVisible()).toBe(false);
    await shot(page, 'install-progress');

    // A second panel asking for another model meanwhile is told why it has to wait.
    const other = await e2e.openPanel({ token: e2e.token });
    await poll(() => text(other, 'status-title')).toBe('Connected');
    await other.locator('#backbone select').selectOption({ label: 'Best (VGG-19): not installed' });
    await other.click('#install-button');
    await poll(() => text(other, 'install-outcome-text')).toBe(
      'SqueezeNet 1.1 is being installed for another panel; the companion installs one model at a time: install VGG-19 when it is done.',
    );
    expect(await other.locator('#install-outcome').getAttribute('data-kind')).toBe('error');
    await shot(other, 'install-busy');
    await other.close();

    // Cancel: the download stops, the panel says what was kept, Install is offered again.
    await page.click('#install-cancel');
    await poll(() => text(page, 'install-outcome-text')).toBe('Download stopped. What was downloaded is kept: Install continues from there.');
    expect(await page.locator('#install-outcome').getAttribute('data-kind')).toBe('cancelled');
    expect(await page.locator('#install-button').isVisible()).toBe(true);
    const requested = mirror.requests.length;
    await new Promise((r) => setTimeout(r, 600));
    expect(mirror.requests.length).toBe(requested); // nothing more is downloaded
    await shot(page, 'install-cancelled');

    // Install again: blobs that had arrived are not fetched again; the preset is enabled when done.
    // Blobs come one after another: those before the last one asked for had surely arrived whole.
    const lastAsked = mirror.requests.at(-1)?.path;
    const done = new Set(mirror.completed.filter((p) => p !== lastAsked));
    const asked = mirror.requests.length;
    mirror.bytesPerSecond = 4_000_000;
    await page.click('#install-button');
    await poll(() => text(page, 'install-outcome-text'), 60_000).toBe('SqueezeNet 1.1 is installed: Draft is ready.');
    expect(await page.locator('#install-outcome').getAttribute('data-kind')).toBe('done');
    const again = mirror.requests.slice(asked).map((r) => r.path);
    expect(done.size).toBeGreaterThan(3);
    expect(again.filter((p) => done.has(p))).toEqual([]);
    expect(await page.locator('#install').isVisible()).toBe(false);
    expect(await page.locator('#harmonize').getAttribute('disabled')).toBeNull();
    expect(await page.locator('#backbone select option:checked').innerText()).toBe('Draft (SqueezeNet)');
    expect(await text(page, 'backbone-speed')).toMatch(/^Draft: about/);
    await shot(page, 'install-done');

    // The model just installed runs a harmonization.
    await page.click('#harmonize');
    await page.locator('#outcome').waitFor({ state: 'visible', timeout: 60_000 });
    expect(await page.locator('#outcome').getAttribute('data-kind')).toBe('done');
    const layers = await probe<Array<{ name: string }>>(page, '__probe.layers()');
    expect(layers.map((l) => l.name)).toEqual(['Harmonized', 'Pasted object', 'Painting']);
    expect(e2e.output).toMatch(/installed squeezenet \(from caffejs/);
    await page.close();
  });
});
