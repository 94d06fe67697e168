// Models from the panel, at the protocol: the catalogue in `welcome` and `listModels`, installs by
// name with progress through the real model manager (downloading the kit's SqueezeNet from a
// local mirror, which only the companion's start-up options can name), one install at a time,
// cancel, a dropped panel, and everything a message might try instead of a model name.
import { existsSync, readdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PROTOCOL_VERSION, type InstallProgressMessage } from '../../../shared/protocol.js';
import { installedBackbones } from '../../../companion/cli/serve.js';
import { createModelService } from '../../../companion/server/model-service.js';
import { downloadsDir } from '../../../companion/compute/weights/cache.js';
import { MODEL_BASE_URL_ENV } from '../../../companion/compute/weights/sources.js';
import { squeezenetCaffejsFiles, startModelMirror, type ModelMirror } from '../../support/model-mirror.js';
import { harmonizePlanes, pairedSocket, startTestServer, TestSocket, type TestServer } from './harness.js';

let mirror: ModelMirror;
let root: string;
let n = 0;
let dir: string;
let t: TestServer;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'painterly-install-'));
  mirror = await startModelMirror(await squeezenetCaffejsFiles());
});
afterAll(async () => {
  await mirror.close();
  await rm(root, { recursive: true, force: true });
});

async function companion(withModels = true): Promise<TestServer> {
  dir = join(root, `cache-${++n}`);
  const env = { [MODEL_BASE_URL_ENV]: mirror.origin };
  return startTestServer({
    capabilities: async () => ({ device: 'cpu', devices: ['cpu'], backbones: await installedBackbones(dir) }),
    ...(withModels ? { models: createModelService({ dir, env, progressIntervalMs: 0 }) } : {}),
  });
}

beforeEach(async () => {
  mirror.bytesPerSecond = Infinity;
  mirror.requests.length = 0;
  t = await companion();
});
afterEach(async () => {
  await t.close();
});

/** Everything an install sent before it ended, and how it ended. */
async function untilEnd(s: TestSocket, model = 'squeezenet') {
  const progress: InstallProgressMessage[] = [];
  for (;;) {
    const m = await s.next(undefined, 30_000);
    if (m.type === 'installProgress' && m.model === model) progress.push(m);
    else if ((m.type === 'installed' || m.type === 'error') && m.model === model) return { progress, end: m };
  }
}

/** Waits until more than `bytes` have arrived (3 MB: inside caffejs's last and largest blob, conv10, 2 MB). */
async function firstBytes(s: TestSocket, bytes = 0): Promise<InstallProgressMessage> {
  for (;;) {
    const m = await s.next('installProgress', 30_000);
    if (m.bytesDone > bytes) return m;
  }
}

const INSIDE_CONV10 = 3_000_000;

describe('the model catalogue', () => {
  it('comes with welcome and on listModels: names, sizes, licences, hosts, what each enables', async () => {
    const s = new TestSocket(t.server.url);
    await s.opened;
    s.sendJson({ type: 'hello', protocolVersion: PROTOCOL_VERSION, token: t.token });
    const welcome = await s.next('welcome');
    expect(welcome.models?.map((m) => [m.name, m.installed, m.backbones, m.presets])).toEqual([
      ['vgg19', false, ['vgg19', 'vgg19-shallow'], ['Best', 'Faster']],
      ['squeezenet', false, ['squeezenet'], ['Draft']],
      ['googlenet', false, ['googlenet'], []],
    ]);
    const squeezenet = welcome.models!.find((m) => m.name === 'squeezenet')!;
    expect(squeezenet).toMatchObject({ title: 'SqueezeNet 1.1', downloadBytes: 4_950_080, license: expect.stringContaining('BSD-2-Clause') });
    // The mirror the companion was started with, never anything a message said.
    expect(squeezenet.hosts).toEqual([new URL(mirror.origin).host]);
    s.sendJson({ type: 'listModels' });
    const listed = await s.next('models');
    expect(listed.models).toEqual(welcome.models);
    expect(listed.backbones.present).toEqual([]);
    expect(listed.installing).toBeUndefined();
    s.close();
  });

  it('is absent when the companion installs nothing, and install requests are refused', async () => {
    const bare = await companion(false);
    try {
      const s = new TestSocket(bare.server.url);
      await s.opened;
      s.sendJson({ type: 'hello', protocolVersion: PROTOCOL_VERSION, token: bare.token });
      expect((await s.next('welcome')).models).toBeUndefined();
      s.sendJson({ type: 'installModel', model: 'squeezenet' });
      expect(await s.next('error')).toMatchObject({ model: 'squeezenet', code: 'UNKNOWN_MESSAGE', message: expect.stringContaining('models fetch') });
      s.close();
    } finally {
      await bare.close();
    }
  });
});

describe('installModel names a model, nothing else', () => {
  const refused: Array<[string, unknown, string]> = [
    ['a URL', 'https://example.com/evil.caffemodel', 'BAD_ARGUMENT'],
    ['a path', '/tmp/weights.safetensors', 'BAD_ARGUMENT'],
    ['a relative path', '../../.ssh/id_rsa', 'BAD_ARGUMENT'],
    ['a file: URL', 'file:///etc/passwd', 'BAD_ARGUMENT'],
    ['a partial model', 'vgg19-partial', 'BAD_ARGUMENT'],
    ['a backbone that is not a download', 'vgg19-shallow', 'BAD_ARGUMENT'],
    ['a number', 42, 'BAD_MESSAGE'],
    ['an object', { name: 'squeezenet', url: 'http://x' }, 'BAD_MESSAGE'],
    ['nothing', undefined, 'BAD_MESSAGE'],
  ];
  it.each(refused)('refuses %s before any download, and the connection stays open', async (_what, model, code) => {
    const s = await pairedSocket(t);
    s.sendJson({ type: 'installModel', model });
    const err = await s.next('error');
    expect(err).toMatchObject({ code });
    expect(err.model).toBeUndefined();
    s.sendJson({ type: 'ping', nonce: 1 });
    expect(await s.next('pong')).toEqual({ type: 'pong', nonce: 1 });
    expect(mirror.requests).toEqual([]);
    expect(existsSync(dir)).toBe(false);
    s.close();
  });

  it('refuses extra fields (a URL or a path beside a good name)', async () => {
    const s = await pairedSocket(t);
    s.sendJson({ type: 'installModel', model: 'squeezenet', url: 'http://127.0.0.1:1/evil' });
    expect(await s.next('error')).toMatchObject({ code: 'BAD_MESSAGE', message: expect.stringContaining('Unknown field `url`') });
    s.sendJson({ type: 'installModel', model: 'squeezenet', dir: '/tmp' });
    expect(await s.next('error')).toMatchObject({ code: 'BAD_MESSAGE' });
    expect(mirror.requests).toEqual([]);
    s.close();
  });

  it('is refused before pairing: the connection is closed and nothing is downloaded', async () => {
    const s = new TestSocket(t.server.url);
    await s.opened;
    s.sendJson({ type: 'installModel', model: 'squeezenet' });
    expect(await s.next('error')).toMatchObject({ code: 'UNAUTHORIZED', closing: true });
    expect((await s.closed).code).toBe(4401);
    expect(mirror.requests).toEqual([]);
  });
});

describe('installing', () => {
  it('reports bytes, speed and time left, then installs: the backbone is offered and jobs with it are accepted', async () => {
    mirror.bytesPerSecond = 8e6;
    const s = await pairedSocket(t);
    s.sendJson({ type: 'installModel', model: 'squeezenet' });
    const { progress, end } = await untilEnd(s);
    // The official caffemodel is not on this mirror: the companion says so and takes caffejs's blobs.
    expect(progress[0]).toMatchObject({ note: expect.stringMatching(/^Official SqueezeNet v1\.1 Caffe model \(forresti\/SqueezeNet\) failed: .*HTTP 404.* Trying the next source\.$/) });
    const bytes = progress.filter((p) => p.note === undefined);
    expect(bytes.length).toBeGreaterThan(3);
    const total = bytes[0].bytesTotal!;
    expect(total).toBeGreaterThan(4_900_000);
    expect(bytes.every((p) => p.source.startsWith('caffejs') && p.bytesTotal === total)).toBe(true);
    expect(bytes.map((p) => p.bytesDone)).toEqual([...bytes.map((p) => p.bytesDone)].sort((a, b) => a - b));
    expect(bytes.at(-1)!.bytesDone).toBe(total);
    const timed = bytes.filter((p) => p.secondsLeft !== undefined);
    expect(timed.length).toBeGreaterThan(0);
    for (const p of timed) expect(p.secondsLeft).toBeCloseTo((p.bytesTotal! - p.bytesDone) / p.bytesPerSecond, 6);
    expect(end).toMatchObject({ type: 'installed', model: 'squeezenet', source: expect.stringContaining('caffejs') });
    if (end.type !== 'installed') throw new Error('not installed');
    expect(end.backbones.present).toEqual(['squeezenet']);
    expect(end.models.find((m) => m.name === 'squeezenet')!.installed).toBe(true);
    expect(existsSync(join(dir, 'squeezenet.safetensors'))).toBe(true);

    // The connection that said welcome before the install can now run the backbone.
    const { planes } = harmonizePlanes(40, 30);
    s.sendJson({ type: 'submit', jobId: 1, options: { mode: 'harmonize', backbone: 'squeezenet' }, planes: planes.map(({ data: _d, ...p }) => p) });
    expect(await s.next('accepted')).toEqual({ type: 'accepted', jobId: 1 });
    s.sendJson({ type: 'cancel', jobId: 1 });
    s.close();
    const later = new TestSocket(t.server.url);
    await later.opened;
    later.sendJson({ type: 'hello', protocolVersion: PROTOCOL_VERSION, token: t.token });
    const welcome = await later.next('welcome');
    expect(welcome.backbones.present).toEqual(['squeezenet']);
    expect(welcome.models!.find((m) => m.name === 'squeezenet')!.installed).toBe(true);
    later.close();
  });

  it('runs one install at a time and says so to a second request, from this panel or another', async () => {
    mirror.bytesPerSecond = 1e6;
    const a = await pairedSocket(t);
    const b = await pairedSocket(t);
    a.sendJson({ type: 'installModel', model: 'squeezenet' });
    await firstBytes(a);
    a.sendJson({ type: 'installModel', model: 'squeezenet' });
    expect(await a.next('error')).toMatchObject({ model: 'squeezenet', code: 'BUSY', message: 'SqueezeNet 1.1 is already being installed; wait for it to finish.' });
    b.sendJson({ type: 'installModel', model: 'vgg19' });
    expect(await b.next('error')).toMatchObject({
      model: 'vgg19',
      code: 'BUSY',
      message: 'SqueezeNet 1.1 is being installed for another panel; the companion installs one model at a time: install VGG-19 when it is done.',
    });
    b.sendJson({ type: 'listModels' });
    expect((await b.next('models')).installing).toBe('squeezenet');
    // Only its owner can cancel it.
    b.sendJson({ type: 'cancelInstall', model: 'squeezenet' });
    expect(await b.next('error')).toMatchObject({ code: 'BAD_ARGUMENT', model: 'squeezenet', message: expect.stringContaining('not installing') });
    mirror.bytesPerSecond = Infinity;
    expect((await untilEnd(a)).end.type).toBe('installed');
    a.close();
    b.close();
  });

  it('cancels on request, keeps what was downloaded, and resumes from it on the next install', async () => {
    mirror.bytesPerSecond = 4e6;
    const s = await pairedSocket(t);
    s.sendJson({ type: 'installModel', model: 'squeezenet' });
    await firstBytes(s, INSIDE_CONV10);
    mirror.bytesPerSecond = 2e5; // the rest of conv10 now takes seconds: the cut lands inside it however slow the machine
    s.sendJson({ type: 'cancelInstall', model: 'squeezenet' });
    const { end } = await untilEnd(s);
    expect(end).toMatchObject({ type: 'error', model: 'squeezenet', code: 'CANCELLED', message: expect.stringContaining('resumes') });
    expect(existsSync(join(dir, 'squeezenet.safetensors'))).toBe(false);
    expect(readdirSync(join(downloadsDir(dir), 'caffejs/squeezenet/weights'))).toContain('conv10_filter.bin.part');
    const before = mirror.requests.length;
    const fetched = new Set(mirror.requests.map((r) => r.path));
    mirror.bytesPerSecond = Infinity;
    s.sendJson({ type: 'installModel', model: 'squeezenet' });
    expect((await untilEnd(s)).end.type).toBe('installed');
    // Blobs that had arrived are not asked for again; the cut one continues where it stopped.
    const resumed = mirror.requests.slice(before);
    expect(resumed).toEqual([{ path: 'squeezenet/weights/conv10_filter.bin', range: expect.stringMatching(/^bytes=[1-9]\d*-$/) }, { path: 'squeezenet/weights/conv10_bias.bin' }]);
    expect(fetched.has('squeezenet/weights/fire9/expand3x3_filter.bin')).toBe(true);
    s.close();
  });

  it('stops when the panel that asked disconnects, and the next panel installs at once, resuming', async () => {
    mirror.bytesPerSecond = 4e6;
    const s = await pairedSocket(t);
    s.sendJson({ type: 'installModel', model: 'squeezenet' });
    await firstBytes(s, INSIDE_CONV10);
    mirror.bytesPerSecond = 2e5; // the rest of conv10 now takes seconds: the cut lands inside it however slow the machine
    const broken = mirror.brokenOff;
    s.ws.terminate();
    await expect.poll(() => t.logs.some((l) => l.event === 'model-install-cancelled'), { timeout: 10_000 }).toBe(true);
    await expect.poll(() => mirror.brokenOff, { timeout: 5000 }).toBeGreaterThan(broken);
    const requests = mirror.requests.length;
    await new Promise((r) => setTimeout(r, 300));
    expect(mirror.requests.length).toBe(requests); // nothing more is downloaded for nobody
    mirror.bytesPerSecond = Infinity;
    const next = await pairedSocket(t);
    next.sendJson({ type: 'installModel', model: 'squeezenet' });
    expect((await untilEnd(next)).end.type).toBe('installed');
    expect(mirror.requests.slice(requests)[0]).toEqual({ path: 'squeezenet/weights/conv10_filter.bin', range: expect.stringMatching(/^bytes=[1-9]\d*-$/) });
    next.close();
  });

  it('stops an install when the companion shuts down', async () => {
    mirror.bytesPerSecond = 1e6;
    const s = await pairedSocket(t);
    s.sendJson({ type: 'installModel', model: 'squeezenet' });
    await firstBytes(s);
    await t.close();
    expect(t.logs.some((l) => l.event === 'model-install-cancelled')).toBe(true);
    expect(existsSync(join(dir, 'squeezenet.safetensors'))).toBe(false);
  });
});
