// The cases real layers bring, end to end without a browser: the real adapter on the fake
// `photoshop` module, the real companion server (fake runners) on loopback. Each case of
// issue 25's point 4, and what the panel reads and sends for a job in parts.
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WebSocketLike } from '../../shared/client.js';
import type { HarmonizeParts } from '../../companion/pipeline/types.js';
import { PanelController } from '../../plugin/controller.js';
import { createPhotoshopHost } from '../../plugin/photoshop/adapter.js';
import type { PanelState } from '../../plugin/state.js';
import { connectionView, progressView } from '../../plugin/view-model.js';
import { createFakePhotoshop } from './fake-photoshop.js';
import { startFakeCompanion } from './support/companion.js';
import { addScene, addSecondDocument, halfMask, type SceneOptions } from './support/scene.js';

const createSocket = (url: string) => new WebSocket(url) as unknown as WebSocketLike;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function setUp(scene: SceneOptions = {}, companionOpts: Parameters<typeof startFakeCompanion>[0] = {}) {
  const companion = await startFakeCompanion(companionOpts);
  cleanups.push(() => companion.close());
  const fake = createFakePhotoshop();
  const s = addScene(fake, scene);
  fake.secrets.set('painterly.pairingToken', new TextEncoder().encode(companion.token));
  // A short job: the fake runner iterates these, a few ms each.
  const controller = new PanelController({ host: createPhotoshopHost({ photoshop: fake.photoshop, uxp: fake.uxp }), url: companion.url, createSocket, retryMs: 100, jobOverrides: { pass1Iters: 20, pass2Iters: 20 } });
  cleanups.push(() => controller.dispose());
  await controller.start();
  return { companion, fake, controller, ...s, lastParts: () => companion.harmonize.record.lastInputs as HarmonizeParts };
}

/** Alpha of the result layer at (x, y), 0..255. */
const alphaAt = (fake: ReturnType<typeof createFakePhotoshop>, doc: { layers: { pixel(x: number, y: number): ArrayLike<number> }[] }, x: number, y: number) => fake && doc.layers[0].pixel(x, y)[3];

describe('what a job in parts reads and sends', () => {
  it('sends the painting at the paper\'s size, the pasted layer and the mask over their bounds, and the painting around the object, and writes only the object\'s pixels', async () => {
    const { controller, doc, selection, object, lastParts } = await setUp({ width: 160, height: 120, object: { left: 60, top: 40, right: 100, bottom: 70 } });
    await controller.run();
    expect(controller.state.outcome).toMatchObject({ kind: 'done' });
    const parts = lastParts();
    expect(parts.document).toEqual({ width: 160, height: 120 });
    // 160 px is below 700: the whole painting goes at its own size.
    expect(parts.painting).toMatchObject({ width: 160, height: 120 });
    expect(parts.pasted.region).toEqual({ x0: object.left, y0: object.top, width: 40, height: 30 });
    expect(parts.mask.region).toEqual({ x0: selection!.left, y0: selection!.top, width: selection!.right - selection!.left, height: selection!.bottom - selection!.top });
    expect(parts.window.region.width * parts.window.region.height).toBeLessThanOrEqual(160 * 120);
    expect(doc.layers[0].bounds).toMatchObject(selection!);
  });
});

describe('layers as the user sees them', () => {
  it('applies the pasted layer\'s user mask: hidden pixels are neither harmonized nor written (no selection)', async () => {
    const object = { left: 20, top: 14, right: 44, bottom: 30 };
    const { controller, fake, doc, lastParts } = await setUp({ object, selection: null, pasted: { mask: halfMask(object) } });
    await controller.run();
    expect(controller.state.outcome).toMatchObject({ kind: 'done' });
    const { pasted, mask } = lastParts();
    const alphaOf = (x: number, y: number) => pasted.image.data[((y - pasted.region.y0) * pasted.image.width + (x - pasted.region.x0)) * 4 + 3];
    expect(alphaOf(25, 20)).toBeCloseTo(1, 5);
    expect(alphaOf(40, 20)).toBe(0);
    expect(mask.image.data[(20 - mask.region.y0) * mask.image.width + (40 - mask.region.x0)]).toBe(0);
    expect(alphaAt(fake, doc, 25, 20)).toBe(255);
    expect(alphaAt(fake, doc, 40, 20)).toBe(0);
  });

  it('applies the pasted layer\'s opacity and fill to what it sends', async () => {
    const { controller, lastParts } = await setUp({ pasted: { opacity: 50, fillOpacity: 80 } });
    await controller.run();
    const { pasted } = lastParts();
    const a = pasted.image.data[((25 - pasted.region.y0) * pasted.image.width + (30 - pasted.region.x0)) * 4 + 3];
    expect(a).toBeCloseTo(0.4, 2);
  });

  it('refuses a blend mode it cannot reproduce, in words, before reading a pixel', async () => {
    const { controller, fake, companion } = await setUp({ pasted: { blendMode: 'multiply' } });
    await controller.run();
    expect(controller.state.outcome).toMatchObject({ kind: 'error', code: 'UNSUPPORTED_LAYER', message: expect.stringMatching(/multiply mode.*Set its blend mode to Normal/) });
    expect(fake.modalLog).toEqual([]);
    expect(companion.harmonize.record.started).toBe(0);
  });

  it('reads a smart object as its rendered pixels, and says so', async () => {
    const { controller } = await setUp({ pasted: { smartObject: true } });
    await controller.run();
    expect(controller.state.outcome).toMatchObject({ kind: 'done' });
    expect(controller.state.notice).toMatch(/smart object: its rendered pixels were used/);
  });

  it('harmonizes a locked pasted layer over a background painting, writing a new layer and changing neither', async () => {
    const { controller, fake, doc } = await setUp({ pasted: { locked: true } });
    const before = doc.allLayers().map((l) => [l.id, l.name]);
    await controller.run();
    expect(controller.state.outcome).toMatchObject({ kind: 'done' });
    expect(doc.allLayers().slice(1).map((l) => [l.id, l.name])).toEqual(before);
    expect(fake.layer(doc, 'Pasted object').allLocked).toBe(true);
  });

  it('writes the result into the job\'s own document when the user switched documents meanwhile, and leaves the user where they were', async () => {
    const { controller, fake, doc } = await setUp({}, { iterationMs: 20 });
    const other = addSecondDocument(fake, { activate: false }).doc;
    const running = controller.run();
    await until(controller, (s) => s.job?.phase === 'running', 'the job to run');
    fake.activateDocument(other);
    await running;
    expect(controller.state.outcome).toMatchObject({ kind: 'done' });
    expect(doc.layers[0].name).toBe('Harmonized');
    expect(other.layers.map((l) => l.name)).not.toContain('Harmonized');
    expect(fake.photoshop.app.activeDocument?.id).toBe(other.id);
  });

  it('says "cancelled" when the user presses Esc while Photoshop reads, and changes nothing', async () => {
    const { controller, fake, doc, companion } = await setUp({ width: 900, height: 700, object: { left: 300, top: 200, right: 600, bottom: 500 } });
    const layers = doc.allLayers().length;
    const running = controller.run();
    await waitFor(() => fake.modalActive());
    expect(fake.pressEscape()).toBe(true);
    await running;
    expect(controller.state.outcome).toMatchObject({ kind: 'cancelled' });
    expect(doc.allLayers().length).toBe(layers);
    expect(companion.harmonize.record.finished).toBe(0);
  });
});

describe('the upload', () => {
  it('reports its progress, and Cancel during it stops the job before the companion runs it', async () => {
    const { controller, companion } = await setUp({ width: 900, height: 700, object: { left: 100, top: 100, right: 800, bottom: 600 }, bits: 16 });
    const seen: PanelState[] = [];
    controller.subscribe((s) => {
      if (s.job?.phase === 'uploading' && s.job.transfer) seen.push(s);
    });
    const running = controller.run();
    await until(controller, (s) => (s.job?.transfer?.done ?? 0) > 0, 'bytes to go out');
    controller.cancel();
    await running;
    expect(controller.state.outcome).toMatchObject({ kind: 'cancelled' });
    expect(progressView(seen[0])).toMatchObject({ label: 'Sending to the companion…', detail: expect.stringMatching(/ of /) });
    expect(companion.harmonize.record.started).toBe(0);
  });

  it('shows the result arriving, and Cancel then still cancels: no layer, the document unchanged', async () => {
    const { controller, companion, doc } = await setUp({ width: 900, height: 700, object: { left: 100, top: 100, right: 800, bottom: 600 }, bits: 16 });
    const layersBefore = doc.allLayers().length;
    const historyBefore = doc.historyStates.length;
    let receiving: PanelState | undefined;
    controller.subscribe((s) => {
      if (receiving || s.job?.transfer?.direction !== 'down') return;
      receiving = s;
      controller.cancel(); // on the first frame of the result
    });
    await controller.run();
    expect(companion.harmonize.record.finished).toBe(1);
    expect(progressView(receiving!)).toMatchObject({ label: 'Receiving the result…', detail: expect.stringMatching(/ of /) });
    expect(controller.state.outcome).toMatchObject({ kind: 'cancelled' });
    expect(doc.allLayers().length).toBe(layersBefore);
    expect(doc.historyStates.length).toBe(historyBefore);
  });
});

describe('the companion\'s address and pairing', () => {
  it('connects to another port the manifest allows, keeps it for next time, and refuses one it does not', async () => {
    const companion = await startFakeCompanion({ port: 47656 });
    cleanups.push(() => companion.close());
    const fake = createFakePhotoshop();
    fake.secrets.set('painterly.pairingToken', new TextEncoder().encode(companion.token));
    const prefs = new Map<string, string>();
    const host = { ...createPhotoshopHost({ photoshop: fake.photoshop, uxp: fake.uxp }), loadPreference: (k: string) => prefs.get(k), savePreference: (k: string, v: string) => void prefs.set(k, v) };
    const controller = new PanelController({ host, createSocket, retryMs: 100, probe: async () => false });
    cleanups.push(() => controller.dispose());
    await controller.start();
    expect(controller.state.connection.status).toBe('unreachable');
    controller.setPort(47656);
    await until(controller, (s) => s.connection.status === 'connected', 'the connection on 47656');
    expect(prefs.get('companionPort')).toBe('47656');
    expect(connectionView(controller.state).detail).toMatch(/paired \(token …[0-9a-f]{4}\)/);
    controller.setPort(8080);
    expect(controller.state.connection.hint).toMatch(/ports 47653–47657 only/);
  });

  it('tells a companion that refused the connection apart from one that is not running', async () => {
    const fake = createFakePhotoshop();
    const controller = new PanelController({ host: createPhotoshopHost({ photoshop: fake.photoshop, uxp: fake.uxp }), url: 'ws://127.0.0.1:9', createSocket, retryMs: 60_000, probe: async () => true });
    cleanups.push(() => controller.dispose());
    await controller.start();
    expect(controller.state.connection).toMatchObject({ status: 'unreachable', refused: true });
    expect(connectionView(controller.state).title).toBe('The companion refused this connection');
  });

  it('answers an empty token in words instead of doing nothing', async () => {
    const companion = await startFakeCompanion();
    cleanups.push(() => companion.close());
    const fake = createFakePhotoshop();
    const controller = new PanelController({ host: createPhotoshopHost({ photoshop: fake.photoshop, uxp: fake.uxp }), url: companion.url, createSocket, retryMs: 100 });
    cleanups.push(() => controller.dispose());
    await controller.start();
    await controller.pair('   ');
    expect(connectionView(controller.state)).toMatchObject({ title: 'Paste the token into the field first', showPairing: true });
  });
});

function until(c: PanelController, test: (s: PanelState) => boolean, what: string, ms = 10_000): Promise<PanelState> {
  return new Promise((resolve, reject) => {
    if (test(c.state)) return resolve(c.state);
    const timer = setTimeout(() => reject(new Error(`Timed out waiting for ${what}`)), ms);
    const stop = c.subscribe((s) => {
      if (!test(s)) return;
      clearTimeout(timer);
      queueMicrotask(() => stop());
      resolve(s);
    });
  });
}

async function waitFor(test: () => boolean, ms = 10_000): Promise<void> {
  const end = Date.now() + ms;
  while (!test()) {
    if (Date.now() > end) throw new Error('Timed out');
    await new Promise((r) => setTimeout(r, 1));
  }
}
