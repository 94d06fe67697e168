// The panel's model installs without a browser: the controller over a real loopback socket to the
// real companion server, whose model service is the real model manager downloading the kit's
// SqueezeNet from a local mirror.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import type { WebSocketLike } from '../../shared/client.js';
import { PanelController } from '../../plugin/controller.js';
import { createPhotoshopHost } from '../../plugin/photoshop/adapter.js';
import type { PanelState } from '../../plugin/state.js';
import { chosenBackbone, jobBlocker } from '../../plugin/view-model.js';
import { installedBackbones } from '../../companion/cli/serve.js';
import { importModel } from '../../companion/compute/weights/import.js';
import { MODEL_BASE_URL_ENV } from '../../companion/compute/weights/sources.js';
import { createModelService } from '../../companion/server/model-service.js';
import { squeezenetCaffejsFiles, startModelMirror, type ModelMirror } from '../support/model-mirror.js';
import { createFakePhotoshop } from './fake-photoshop.js';
import { startFakeCompanion, type FakeCompanion } from './support/companion.js';
import { addScene } from './support/scene.js';

const createSocket = (url: string) => new WebSocket(url) as unknown as WebSocketLike;
let mirror: ModelMirror;
let root: string;
let n = 0;
const cleanups: (() => unknown)[] = [];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'painterly-panel-install-'));
  mirror = await startModelMirror(await squeezenetCaffejsFiles());
});
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
  mirror.bytesPerSecond = Infinity;
});
afterAll(async () => {
  await mirror.close();
  await rm(root, { recursive: true, force: true });
});

function until(c: PanelController, test: (s: PanelState) => boolean, what: string, ms = 20_000): Promise<PanelState> {
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

async function setUp(withModels = true): Promise<{ controller: PanelController; companion: FakeCompanion; dir: string }> {
  const dir = join(root, `cache-${++n}`);
  const companion = await startFakeCompanion({
    present: [],
    backbones: () => installedBackbones(dir),
    ...(withModels ? { models: createModelService({ dir, env: { [MODEL_BASE_URL_ENV]: mirror.origin }, progressIntervalMs: 0 }) } : {}),
  });
  cleanups.push(() => companion.close());
  const fake = createFakePhotoshop();
  addScene(fake);
  fake.secrets.set('painterly.pairingToken', new TextEncoder().encode(companion.token));
  const controller = new PanelController({ host: createPhotoshopHost({ photoshop: fake.photoshop, uxp: fake.uxp }), url: companion.url, createSocket, retryMs: 100 });
  cleanups.push(() => controller.dispose());
  await controller.start();
  return { controller, companion, dir };
}

describe('installing from the panel', () => {
  it('installs the chosen preset’s model with progress, then offers the preset without reconnecting', async () => {
    const { controller } = await setUp();
    expect(controller.state.connection.companion?.models?.map((m) => m.name)).toEqual(['vgg19', 'squeezenet', 'googlenet']);
    controller.setBackbone('squeezenet');
    expect(jobBlocker(controller.state)).toBe('Draft (SqueezeNet) is not installed yet: click Install above.');
    const seen: number[] = [];
    controller.subscribe((s) => s.install && s.install.bytesDone > 0 && seen.push(s.install.bytesDone));
    await controller.installModel('squeezenet');
    const s = controller.state;
    expect(s.install).toBeUndefined();
    expect(s.installOutcome).toEqual({ kind: 'done', model: 'squeezenet', message: 'SqueezeNet 1.1 is installed: Draft is ready.' });
    expect(seen.length).toBeGreaterThan(3);
    expect(seen).toEqual([...seen].sort((a, b) => a - b));
    expect(s.connection.companion?.backbones.present).toEqual(['squeezenet']);
    expect(chosenBackbone(s)).toMatchObject({ name: 'squeezenet', available: true });
    expect(jobBlocker(s)).toBeUndefined();
    await controller.run();
    expect(controller.state.outcome).toMatchObject({ kind: 'done' });
  });

  it('cancels: the panel says what was kept, and the next install finishes', async () => {
    mirror.bytesPerSecond = 2e6;
    const { controller } = await setUp();
    const running = controller.installModel('squeezenet');
    await until(controller, (s) => (s.install?.bytesDone ?? 0) > 500_000, 'bytes to arrive');
    controller.cancelInstall();
    expect(controller.state.install?.cancelling).toBe(true);
    await running;
    expect(controller.state.installOutcome).toMatchObject({ kind: 'cancelled', code: 'CANCELLED', message: 'Download stopped. What was downloaded is kept: Install continues from there.' });
    mirror.bytesPerSecond = Infinity;
    await controller.installModel('squeezenet');
    expect(controller.state.installOutcome?.kind).toBe('done');
  });

  it('reports a lost connection during an install, and the companion stops downloading', async () => {
    mirror.bytesPerSecond = 4e6;
    const { controller, companion } = await setUp();
    const running = controller.installModel('squeezenet');
    // 3 MB: inside the last and largest blob (conv10, 2 MB), so the transfer is cut mid-file.
    await until(controller, (s) => (s.install?.bytesDone ?? 0) > 3_000_000, 'bytes to arrive');
    mirror.bytesPerSecond = 2e5; // the rest of conv10 now takes seconds: the cut lands inside it
    const broken = mirror.brokenOff;
    await companion.close();
    await running;
    expect(controller.state.installOutcome).toMatchObject({ kind: 'error', code: 'CONNECTION_LOST', message: 'The connection to the companion was lost. What was downloaded is kept: Install continues from there.' });
    await expect.poll(() => mirror.brokenOff, { timeout: 5000 }).toBeGreaterThan(broken);
  });

  it('sees a model installed behind its back (a terminal) when it refreshes', async () => {
    const { controller, dir } = await setUp();
    await importModel(join(import.meta.dirname, '../../../shared/weights/squeezenet1_1.safetensors'), dir);
    await controller.refreshModels();
    expect(controller.state.connection.companion?.backbones.present).toEqual(['squeezenet']);
    expect(controller.state.connection.companion?.models?.find((m) => m.name === 'squeezenet')?.installed).toBe(true);
  });

  it('with a companion that installs nothing, has no models and does nothing on install', async () => {
    const { controller } = await setUp(false);
    expect(controller.state.connection.companion?.models).toBeUndefined();
    await controller.installModel('squeezenet');
    expect(controller.state.install).toBeUndefined();
    expect(controller.state.installOutcome).toBeUndefined();
  });
});
