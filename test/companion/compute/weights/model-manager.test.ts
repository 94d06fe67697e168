// The panel's model API: the catalogue listing, and installs by name only, with byte progress
// (speed, time left), cancel and one install per model at a time.
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { downloadsDir } from '../../../../companion/compute/weights/cache.js';
import { importModel } from '../../../../companion/compute/weights/import.js';
import { createRateMeter, installModel, listKnownModels, type InstallProgress } from '../../../../companion/compute/weights/model-manager.js';
import { getSources, MODEL_BASE_URL_ENV, type ModelSource } from '../../../../companion/compute/weights/sources.js';
import { startServer, type FixtureServer } from './fixtures.js';
import { caffeLayersFrom, encodeCaffemodel, KIT, kitTensors, writeCaffejs } from './model-files.js';

let dir: string;
let n = 0;
let server: FixtureServer;
const files = new Map<string, Uint8Array>();

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'painterly-manager-'));
  const kit = await kitTensors('squeezenet');
  files.set('squeezenet_v1.1.caffemodel', encodeCaffemodel(caffeLayersFrom(kit), 'current'));
  for (const [rel, bytes] of await writeCaffejs(join(dir, 'caffejs'), 'squeezenet', kit)) files.set(rel, bytes);
  server = await startServer(files);
});
afterEach(() => {
  server.modes.clear();
  server.requests.length = 0;
});
afterAll(async () => {
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

async function freshCache(): Promise<string> {
  const c = join(dir, `cache-${++n}`);
  await mkdir(c, { recursive: true });
  return c;
}

function localSources(): ModelSource[] {
  return getSources('squeezenet', { [MODEL_BASE_URL_ENV]: server.origin }).map((s) => {
    if (s.kind === 'caffejs') return s;
    const body = files.get(s.fileName)!;
    return { ...s, bytes: body.length, sha256: createHash('sha256').update(body).digest('hex') };
  });
}

describe('listKnownModels', () => {
  it('lists the three downloadable models with size, licence, backbones and presets', async () => {
    const models = listKnownModels({ dir: await freshCache(), env: {} });
    expect(models.map((m) => [m.name, m.downloadBytes, m.installed, m.backbones, m.presets])).toEqual([
      ['vgg19', 80_134_624, false, ['vgg19', 'vgg19-shallow'], ['Best', 'Faster']],
      ['squeezenet', 4_950_080, false, ['squeezenet'], ['Draft']],
      ['googlenet', 53_533_754, false, ['googlenet'], []],
    ]);
    expect(models[0].license).toMatch(/CC BY 4\.0.*CC BY-NC 4\.0/);
    expect(models[1].license).toContain('BSD-2-Clause');
    expect(models[2].sources.map((s) => s.host)).toEqual(['dl.caffe.berkeleyvision.org', 'huggingface.co', 'raw.githubusercontent.com']);
  });

  it('shows an installed model and its size', async () => {
    const c = await freshCache();
    await importModel(join(KIT, 'squeezenet1_1.safetensors'), c);
    const squeezenet = listKnownModels({ dir: c, env: {} }).find((m) => m.name === 'squeezenet')!;
    expect(squeezenet.installed).toBe(true);
    expect(squeezenet.installedBytes).toBeGreaterThan(4_940_000);
  });
});

describe('installModel', () => {
  it.each([['https://example.com/evil.caffemodel'], ['../../../etc/passwd'], ['/tmp/weights.safetensors'], ['vgg19-partial'], [42], [undefined], [{ name: 'vgg19' }]])(
    'refuses %j before any download',
    async (name) => {
      await expect(installModel(name, { dir: await freshCache(), fetch: { sources: localSources() } })).rejects.toMatchObject({
        code: 'BAD_ARGUMENT',
        message: expect.stringContaining('choose one of vgg19, squeezenet, googlenet'),
      });
      expect(server.requests).toEqual([]);
    },
  );

  it('reports bytes, total, speed and time left, at most once per interval plus the final report', async () => {
    const c = await freshCache();
    const reports: InstallProgress[] = [];
    const outcome = await installModel('squeezenet', { dir: c, fetch: { sources: localSources() }, now: () => 0, onProgress: (p) => reports.push(p) });
    expect(outcome).toMatchObject({ model: 'squeezenet', backbones: ['squeezenet'], failures: [] });
    // A clock that never moves: only the first report and the final one pass the interval.
    expect(reports).toHaveLength(2);
    expect(reports.at(-1)).toMatchObject({ model: 'squeezenet', bytesDone: files.get('squeezenet_v1.1.caffemodel')!.length, bytesTotal: files.get('squeezenet_v1.1.caffemodel')!.length });
    expect(listKnownModels({ dir: c }).find((m) => m.name === 'squeezenet')!.installed).toBe(true);
  });

  it('computes time left from the speed, and names the source it falls through to', async () => {
    server.modes.set('/squeezenet_v1.1.caffemodel', 'missing');
    let t = 0;
    const reports: InstallProgress[] = [];
    const failed: string[] = [];
    const outcome = await installModel('squeezenet', {
      dir: await freshCache(),
      fetch: { sources: localSources() },
      now: () => (t += 10),
      progressIntervalMs: 0,
      onProgress: (p) => reports.push(p),
      onSourceFailed: (s) => failed.push(s),
    });
    expect(failed).toEqual([expect.stringContaining('official SqueezeNet v1.1 Caffe model')]);
    expect(outcome.failures).toHaveLength(1);
    expect(outcome.source).toContain('caffejs');
    const moving = reports.filter((p) => p.bytesPerSecond > 0 && p.bytesDone < p.bytesTotal!);
    expect(moving.length).toBeGreaterThan(5);
    for (const p of moving) expect(p.secondsLeft).toBeCloseTo((p.bytesTotal! - p.bytesDone) / p.bytesPerSecond, 6);
    expect(reports.every((p) => p.source.includes('caffejs'))).toBe(true);
  });

  it('cancels with the AbortSignal, keeps the bytes, and resumes on the next install', async () => {
    const c = await freshCache();
    const abort = new AbortController();
    const stopped = installModel('squeezenet', {
      dir: c,
      fetch: { sources: localSources() },
      signal: abort.signal,
      progressIntervalMs: 0,
      onProgress: (p) => {
        if (p.bytesDone > 500_000) abort.abort();
      },
    });
    await expect(stopped).rejects.toMatchObject({ code: 'CANCELLED' });
    expect(readdirSync(downloadsDir(c))).toEqual(['squeezenet_v1.1.caffemodel.part']);
    server.requests.length = 0;
    await installModel('squeezenet', { dir: c, fetch: { sources: localSources() } });
    expect(server.requests[0].headers.range).toMatch(/^bytes=[1-9]\d*-$/);
  });

  it('refuses a second install of the same model while one runs', async () => {
    const c = await freshCache();
    const first = installModel('squeezenet', { dir: c, fetch: { sources: localSources() } });
    await expect(installModel('squeezenet', { dir: c, fetch: { sources: localSources() } })).rejects.toMatchObject({ code: 'BUSY' });
    await first;
    await expect(installModel('squeezenet', { dir: c, fetch: { sources: localSources() } })).resolves.toMatchObject({ model: 'squeezenet' });
  });
});

describe('createRateMeter', () => {
  it('measures bytes per second over the last five seconds', () => {
    let t = 0;
    const meter = createRateMeter(() => t);
    expect(meter.add(0)).toBe(0);
    t = 1000;
    expect(meter.add(2000)).toBe(2000);
    t = 2000;
    expect(meter.add(3000)).toBe(1500);
    t = 7500; // the samples at 0 s and 1 s are now older than the window
    expect(meter.add(14_000)).toBeCloseTo((14_000 - 3000) / 5.5, 6);
    meter.reset();
    t = 8000;
    expect(meter.add(20_000)).toBe(0);
  });
});
