// The panel's model layer end to end without a browser: the real adapter on the fake
// `photoshop` module, the real companion server (fake runners) over a real loopback socket.
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WebSocketLike } from '../../shared/client.js';
import { PainterlyError } from '../../shared/errors.js';
import { PanelController, type ControllerOptions } from '../../plugin/controller.js';
import { createPhotoshopHost } from '../../plugin/photoshop/adapter.js';
import type { PanelState } from '../../plugin/state.js';
import { createFakePhotoshop, type FakePhotoshop } from './fake-photoshop.js';
import { startFakeCompanion, type FakeCompanion } from './support/companion.js';
import { addScene } from './support/scene.js';
import { knownAutoTau, tauView } from '../../plugin/view-model.js';
import { FAKE_AUTO_TAU } from '../support/fake-runners.js';

const createSocket = (url: string) => new WebSocket(url) as unknown as WebSocketLike;
const cleanups: (() => unknown)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

function until(c: PanelController, test: (s: PanelState) => boolean, what: string, ms = 10_000): Promise<PanelState> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Timed out waiting for ${what}; state: ${JSON.stringify({ ...c.state, document: undefined })}`)), ms);
    const stop = c.subscribe((s) => {
      if (!test(s)) return;
      clearTimeout(timer);
      queueMicrotask(() => stop());
      resolve(s);
    });
  });
}

async function freePort(): Promise<number> {
  const srv = net.createServer();
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  const port = (srv.address() as net.AddressInfo).port;
  await new Promise((r) => srv.close(r));
  return port;
}

async function setUp(opts: { companion?: Parameters<typeof startFakeCompanion>[0]; paired?: boolean; selection?: null; jobOverrides?: ControllerOptions['jobOverrides'] } = {}) {
  const companion: FakeCompanion = await startFakeCompanion(opts.companion);
  cleanups.push(() => companion.close());
  const fake: FakePhotoshop = createFakePhotoshop();
  const scene = addScene(fake, opts.selection === null ? { selection: null } : {});
  if (opts.paired !== false) fake.secrets.set('painterly.pairingToken', new TextEncoder().encode(companion.token));
  const controller = new PanelController({ host: createPhotoshopHost({ photoshop: fake.photoshop, uxp: fake.uxp }), url: companion.url, createSocket, retryMs: 100, jobOverrides: opts.jobOverrides });
  cleanups.push(() => controller.dispose());
  await controller.start();
  return { companion, fake, controller, ...scene };
}

describe('connecting', () => {
  it('says how to start the companion when nothing listens, and connects once it runs', async () => {
    const port = await freePort();
    const fake = createFakePhotoshop();
    const controller = new PanelController({ host: createPhotoshopHost({ photoshop: fake.photoshop, uxp: fake.uxp }), url: `ws://127.0.0.1:${port}`, createSocket, retryMs: 100 });
    cleanups.push(() => controller.dispose());
    await controller.start();
    expect(controller.state.connection.status).toBe('unreachable');
    const companion = await startFakeCompanion({ port });
    cleanups.push(() => companion.close());
    await until(controller, (s) => s.connection.status === 'unpaired', 'the companion to be found');
  });

  it('pairs with the token the user pastes and keeps it in secure storage', async () => {
    const { controller, companion, fake } = await setUp({ paired: false });
    expect(controller.state.connection.status).toBe('unpaired');
    await controller.pair('0'.repeat(64));
    expect(controller.state.connection).toMatchObject({ status: 'unpaired', tokenRefused: true });
    await controller.pair(`  ${companion.token}\n`);
    expect(controller.state.connection.status).toBe('connected');
    expect(new TextDecoder().decode(fake.secrets.get('painterly.pairingToken'))).toBe(companion.token);
  });
});

describe('harmonizing', () => {
  it('adds one "Harmonized" layer above the pasted one: changed inside the selection, identical outside, one history step', async () => {
    const { controller, fake, doc, selection } = await setUp({ companion: { iterationMs: 1 } });
    const before = { composite: fake.composite(doc), history: doc.historyStates.length };
    let modalDuringJob = false;
    controller.subscribe((s) => {
      if (s.job?.phase === 'running') modalDuringJob ||= fake.modalActive();
    });
    await controller.run();
    const s = controller.state;
    expect(s.outcome).toMatchObject({ kind: 'done' });
    expect(doc.layers.map((l) => l.name)).toEqual(['Harmonized', 'Pasted object', 'Painting']);
    expect(s.result).toMatchObject({ documentId: doc.id, layerId: doc.layers[0].id, visible: true });
    expect(doc.layers[0].bounds).toMatchObject(selection!);
    expect(doc.historyStates.slice(before.history).map((h) => h.name)).toEqual(['Harmonize']);
    // The fake runner inverts the composite inside the mask and leaves it alone outside.
    const after = fake.composite(doc);
    let changed = 0;
    for (let y = 0; y < doc.height; y++) {
      for (let x = 0; x < doc.width; x++) {
        const inside = x >= selection!.left && x < selection!.right && y >= selection!.top && y < selection!.bottom;
        for (let c = 0; c < 3; c++) {
          const i = (y * doc.width + x) * 4 + c;
          if (inside) {
            expect(Math.abs(after[i] - (255 - before.composite[i]))).toBeLessThanOrEqual(1);
            if (after[i] !== before.composite[i]) changed++;
          } else {
            expect(after[i]).toBe(before.composite[i]);
          }
        }
      }
    }
    expect(changed).toBeGreaterThan(0.9 * 3 * (selection!.right - selection!.left) * (selection!.bottom - selection!.top));
    expect(modalDuringJob).toBe(false);
    // Short modal reads, one region each (the paper's painting, the selection, the strips), then one write.
    const scopes = fake.modalLog.map((m) => m.commandName);
    expect(scopes.at(-1)).toBe('Painterly: add result layer');
    expect(new Set(scopes.slice(0, -1))).toEqual(new Set(['Painterly: read pixels']));
    expect(scopes.length).toBeGreaterThanOrEqual(5);
    expect(fake.liveImageData()).toBe(0);
  });

  it('sends the chosen settings, with the overrides a test asks for', async () => {
    const { controller, companion } = await setUp({ jobOverrides: { size: 64, pass1Iters: 3, pass2Iters: 2 } });
    controller.setTau(10);
    controller.setPostProcess(false);
    await controller.run();
    expect(companion.harmonize.record.options.at(-1)).toMatchObject({ tau: 10, postProcess: false, size: 64, pass1Iters: 3, pass2Iters: 2, backbone: 'vgg19' });
  });

  it('runs Auto by default and shows the τ it read from the painting, with words, until the painting changes', async () => {
    const { controller, companion, doc } = await setUp({ companion: { iterationMs: 0 } });
    expect(controller.state.settings.tau).toBe('auto');
    expect(tauView(controller.state)).toMatchObject({ value: 'τ = auto', note: expect.stringMatching(/when the job starts/) });
    await controller.run();
    expect(companion.harmonize.record.options.at(-1)).toMatchObject({ tau: 'auto' });
    const s = controller.state;
    const painting = doc.layers.find((l) => l.name === 'Painting')!;
    expect(s.autoTau).toEqual({ ...FAKE_AUTO_TAU, documentId: doc.id, paintingId: painting.id });
    expect(tauView(s)).toEqual({ value: `τ = ${FAKE_AUTO_TAU.tau} (auto)`, note: `Read from the painting: ${FAKE_AUTO_TAU.words}.`, slider: FAKE_AUTO_TAU.tau });
    expect(s.outcome?.message).toContain(`τ ${FAKE_AUTO_TAU.tau}, read from the painting: ${FAKE_AUTO_TAU.words}`);
    // Another document: what was read no longer applies to it.
    expect(knownAutoTau({ ...s, document: { ...s.document!, id: doc.id + 1 } })).toBeUndefined();
    // A preset overrides Auto; the job then reports no reading.
    controller.setTau(10);
    expect(tauView(controller.state)).toEqual({ value: 'τ = 10', note: '', slider: 10 });
  });

  it('shows and hides the result layer', async () => {
    const { controller, doc } = await setUp({ companion: { iterationMs: 0 } });
    await controller.run();
    await controller.setResultVisible(false);
    expect(doc.layers[0].visible).toBe(false);
    expect(controller.state.result!.visible).toBe(false);
    await controller.setResultVisible(true);
    expect(doc.layers[0].visible).toBe(true);
  });

  it('uses the pasted layer’s shape without a selection and says so', async () => {
    const { controller, doc, object } = await setUp({ companion: { iterationMs: 0 }, selection: null });
    await controller.run();
    expect(controller.state.notice).toMatch(/No selection/);
    expect(doc.layers[0].bounds).toMatchObject(object);
  });

  it('leaves the document untouched when cancelled mid-run', async () => {
    const { controller, fake, doc } = await setUp({ companion: { iterationMs: 5 } });
    const before = { composite: fake.composite(doc), history: doc.historyStates.length, ids: doc.allLayers().map((l) => l.id) };
    const running = until(controller, (s) => s.job?.phase === 'running' && s.job.iteration > 3, 'progress');
    const done = controller.run();
    await running;
    controller.cancel();
    expect(controller.state.job!.cancelling).toBe(true);
    await done;
    expect(controller.state.outcome).toEqual({ kind: 'cancelled', message: 'Cancelled. The document was not changed.' });
    expect(doc.allLayers().map((l) => l.id)).toEqual(before.ids);
    expect(doc.historyStates.length).toBe(before.history);
    expect(fake.composite(doc)).toEqual(before.composite);
  });

  it('reports a companion error in its own words and keeps the document as it was', async () => {
    const error = new PainterlyError('DEVICE_UNAVAILABLE', 'The GPU ran out of memory: choose Preview or a lighter model.');
    const { controller, doc } = await setUp({ companion: { failAt: { iteration: 3, error } } });
    const history = doc.historyStates.length;
    await controller.run();
    expect(controller.state.outcome).toEqual({ kind: 'error', code: 'DEVICE_UNAVAILABLE', message: error.message });
    expect(doc.layers.length).toBe(2);
    expect(doc.historyStates.length).toBe(history);
  });

  it('does not send a job whose backbone is not installed', async () => {
    const { controller, doc } = await setUp({ companion: { present: ['squeezenet'] } });
    controller.setBackbone('vgg19');
    expect(controller.state.connection.companion!.backbones.missing.map((m) => m.name)).toContain('vgg19');
    await controller.run(); // blocked in the panel: nothing is sent
    expect(controller.state.job).toBeUndefined();
    expect(doc.layers.length).toBe(2);
  });
});
