// `models fetch` for every backbone against a local HTTP server that serves each source in its
// real layout, the way a mirror folder would (`/<file name>`, `/<net>/weights/…` for caffejs):
// good, corrupt, cut and resumed, wrong weights after conversion (next source), all failing.
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { PainterlyError } from '../../../../shared/errors.js';
import { downloadsDir, modelPath } from '../../../../companion/compute/weights/cache.js';
import { fetchModel, type FetchOptions } from '../../../../companion/compute/weights/fetch.js';
import { readSafetensors } from '../../../../companion/compute/weights/safetensors.js';
import { getSources, MODEL_CATALOG, MODEL_BASE_URL_ENV, type DownloadableModel, type ModelSource } from '../../../../companion/compute/weights/sources.js';
import { startServer, writeKerasVgg19, type FixtureServer } from './fixtures.js';
import { caffeLayersFrom, encodeCaffemodel, encodeOnnxGooglenet, kitTensors, withOneValueChanged, writeCaffejs } from './model-files.js';

let dir: string;
let n = 0;
/** Every file of every source, by path on the server. */
const files = new Map<string, Uint8Array>();
let server: FixtureServer;

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const bytesOf = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'painterly-fetch-'));
  const squeezenet = await kitTensors('squeezenet');
  const googlenet = await kitTensors('googlenet');
  files.set('squeezenet_v1.1.caffemodel', encodeCaffemodel(caffeLayersFrom(squeezenet), 'current'));
  files.set('bvlc_googlenet.caffemodel', encodeCaffemodel(caffeLayersFrom(googlenet, { aux: true }), 'v1'));
  files.set('googlenet-12.onnx', encodeOnnxGooglenet(googlenet));
  for (const [model, tensors] of [['squeezenet', squeezenet], ['googlenet', googlenet]] as const) {
    for (const [rel, bytes] of await writeCaffejs(join(dir, 'caffejs'), model, tensors)) files.set(rel, bytes);
  }
  // Same file names, same pinned checks, but not the official weights:
  files.set('wrong/squeezenet_v1.1.caffemodel', encodeCaffemodel(caffeLayersFrom(withOneValueChanged(squeezenet, 'conv1.weight')), 'current'));
  files.set('wrong/googlenet-12.onnx', encodeOnnxGooglenet(withOneValueChanged(googlenet, 'inception_4e/3x3.weight')));
  const h5 = join(dir, 'vgg.h5');
  await writeKerasVgg19(h5, { realSize: true, seed: 3 });
  files.set('vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5', new Uint8Array(await readFile(h5)));
  const tiny = join(dir, 'tiny.h5');
  await writeKerasVgg19(tiny);
  files.set('wrong/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5', new Uint8Array(await readFile(tiny)));
  server = await startServer(files);
}, 60_000);
afterEach(() => {
  server.mode = 'good';
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

/**
 * The model's real sources, read from the local server as from a mirror folder. Generated
 * single files get their own size and SHA-256 pinned (the official values are for the real
 * files); caffejs blobs keep the official pins, which the kit weights written back reproduce.
 * `wrong` serves the not-official variant of those files instead.
 */
function localSources(model: DownloadableModel, wrong: string[] = []): ModelSource[] {
  return getSources(model, { [MODEL_BASE_URL_ENV]: server.origin }).map((s) => {
    if (s.kind === 'caffejs') return s;
    const path = wrong.includes(s.fileName) ? `wrong/${s.fileName}` : s.fileName;
    const body = files.get(path)!;
    return { ...s, urls: [`${server.origin}/${path}`], bytes: body.length, sha256: sha256(body), sha1: undefined, md5: undefined };
  });
}

async function fetchLocal(model: DownloadableModel, opts: FetchOptions & { wrong?: string[] } = {}) {
  const c = opts.dir ?? (await freshCache());
  const failed: Array<[string, string]> = [];
  const result = await fetchModel(model, {
    sources: localSources(model, opts.wrong),
    onSourceFailed: (s, e) => failed.push([s.format, e.code]),
    connectTimeoutMs: 2000,
    ...opts,
    dir: c,
  });
  return { c, result, failed };
}

async function expectOfficial(file: string, model: 'squeezenet' | 'googlenet'): Promise<void> {
  const kit = await kitTensors(model);
  const w = await readSafetensors(file);
  expect([...w.tensors.keys()]).toEqual([...kit.keys()]);
  for (const [name, t] of kit) expect(bytesOf(w.tensors.get(name)!.data).equals(bytesOf(t.data)), name).toBe(true);
  expect(w.metadata).toMatchObject({ model, tensors_sha256: MODEL_CATALOG[model].tensorsSha256, official: 'true' });
}

async function fetchError(model: DownloadableModel, opts: FetchOptions & { wrong?: string[] } = {}): Promise<{ c: string; error: PainterlyError }> {
  const c = await freshCache();
  const error = await fetchLocal(model, { ...opts, dir: c }).then(
    () => undefined,
    (e: PainterlyError) => e,
  );
  expect(error).toBeDefined();
  return { c, error: error! };
}

describe('fetch squeezenet', () => {
  it('installs the official weights from the caffemodel and leaves no download behind', async () => {
    const { c, result, failed } = await fetchLocal('squeezenet');
    expect(result).toMatchObject({ model: 'squeezenet', file: modelPath('squeezenet', c), tensorsSha256: MODEL_CATALOG.squeezenet.tensorsSha256 });
    expect(result.source.format).toBe('caffemodel');
    expect(failed).toEqual([]);
    await expectOfficial(result.file, 'squeezenet');
    expect(await readdir(downloadsDir(c))).toEqual([]);
  });

  it('falls through to the caffejs blobs when the caffemodel is corrupt', async () => {
    server.modes.set('/squeezenet_v1.1.caffemodel', 'corrupt');
    const { c, result, failed } = await fetchLocal('squeezenet');
    expect(failed).toEqual([['caffemodel', 'CHECKSUM_MISMATCH']]);
    expect(result.source.format).toBe('caffejs');
    expect(result.failures[0].error.message).toContain('corrupt or not the expected one');
    await expectOfficial(result.file, 'squeezenet');
    expect(await readdir(downloadsDir(c))).toEqual([]);
  });

  it('falls through when the converted weights are not the official ones, and deletes that download', async () => {
    const { c, result, failed } = await fetchLocal('squeezenet', { wrong: ['squeezenet_v1.1.caffemodel'] });
    expect(failed).toEqual([['caffemodel', 'CHECKSUM_MISMATCH']]);
    expect(result.failures[0].error.message).toMatch(/not the official SqueezeNet 1\.1 weights \(tensor digest [0-9a-f]{64}, expected dde55f6a/);
    expect(result.source.format).toBe('caffejs');
    await expectOfficial(result.file, 'squeezenet');
    expect(await readdir(downloadsDir(c))).toEqual([]);
  });

  it('resumes a cut caffemodel download with a Range request', async () => {
    server.modes.set('/squeezenet_v1.1.caffemodel', 'cut-once');
    const { result, failed } = await fetchLocal('squeezenet');
    expect(failed).toEqual([]);
    expect(result.source.format).toBe('caffemodel');
    expect(server.requests.filter((r) => r.url === '/squeezenet_v1.1.caffemodel').map((r) => r.headers.range)).toEqual([undefined, expect.stringMatching(/^bytes=[1-9]\d*-$/)]);
    await expectOfficial(result.file, 'squeezenet');
  });

  it('stops at once on cancel, keeping the part; the next run resumes that source first', async () => {
    const c = await freshCache();
    const abort = new AbortController();
    // Stop inside the caffejs blobs (the caffemodel is missing, so they are the source in use).
    server.modes.set('/squeezenet_v1.1.caffemodel', 'missing');
    const cancelled = await fetchLocal('squeezenet', {
      dir: c,
      signal: abort.signal,
      onProgress: (received) => {
        if (received > 1_000_000) abort.abort();
      },
    }).catch((e: PainterlyError) => e);
    expect(cancelled).toMatchObject({ code: 'CANCELLED' });
    expect(existsSync(join(downloadsDir(c), 'caffejs', 'squeezenet', 'weights'))).toBe(true);
    server.modes.clear();
    server.requests.length = 0;
    const { result } = await fetchLocal('squeezenet', { dir: c });
    expect(result.source.format).toBe('caffejs');
    expect(result.resumedFrom).toBeGreaterThan(1_000_000);
    expect(server.requests.some((r) => r.url === '/squeezenet_v1.1.caffemodel')).toBe(false);
    await expectOfficial(result.file, 'squeezenet');
    expect(await readdir(downloadsDir(c))).toEqual([]);
  });

  it('fails with every source and its reason when all fail, installing nothing', async () => {
    server.modes.set('/squeezenet/', 'missing');
    const { c, error } = await fetchError('squeezenet', { wrong: ['squeezenet_v1.1.caffemodel'] });
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.message).toMatch(/Could not install squeezenet: every source failed\.\n {2}- official SqueezeNet v1\.1 Caffe model .*not the official SqueezeNet 1\.1 weights.*\n {2}- caffejs per-layer blobs .*HTTP 404/);
    expect(error.message).toContain('npx painterly models import FILE');
    expect(existsSync(modelPath('squeezenet', c))).toBe(false);
  });

  it('reports CHECKSUM_MISMATCH when every source delivered bad bytes', async () => {
    server.mode = 'corrupt';
    const { error } = await fetchError('squeezenet');
    expect(error.code).toBe('CHECKSUM_MISMATCH');
  });
});

describe('fetch googlenet', () => {
  it('installs the official weights from the BVLC caffemodel (V1 format, auxiliary classifiers dropped)', async () => {
    const { result, failed } = await fetchLocal('googlenet');
    expect(failed).toEqual([]);
    expect(result.source.format).toBe('caffemodel');
    await expectOfficial(result.file, 'googlenet');
  });

  it('uses the ONNX Model Zoo file when the BVLC host is down', async () => {
    server.modes.set('/bvlc_googlenet.caffemodel', 'missing');
    const { result, failed } = await fetchLocal('googlenet');
    expect(failed).toEqual([['caffemodel', 'DOWNLOAD_FAILED']]);
    expect(result.source.format).toBe('onnx');
    await expectOfficial(result.file, 'googlenet');
  });

  it('uses the caffejs blobs when the ONNX weights are not the official ones', async () => {
    server.modes.set('/bvlc_googlenet.caffemodel', 'missing');
    const { c, result, failed } = await fetchLocal('googlenet', { wrong: ['googlenet-12.onnx'] });
    expect(failed).toEqual([['caffemodel', 'DOWNLOAD_FAILED'], ['onnx', 'CHECKSUM_MISMATCH']]);
    expect(result.source.format).toBe('caffejs');
    await expectOfficial(result.file, 'googlenet');
    expect(await readdir(downloadsDir(c))).toEqual([]);
  });

  it('resumes a cut caffejs blob and a cut ONNX file', async () => {
    server.modes.set('/bvlc_googlenet.caffemodel', 'missing');
    server.modes.set('/googlenet-12.onnx', 'corrupt');
    server.modes.set('/bvlc_googlenet/weights/inception_4a/', 'cut-once');
    const { result } = await fetchLocal('googlenet');
    expect(result.source.format).toBe('caffejs');
    const resumed = server.requests.filter((r) => r.url.startsWith('/bvlc_googlenet/weights/inception_4a/') && r.headers.range);
    expect(resumed.length).toBeGreaterThan(0);
    await expectOfficial(result.file, 'googlenet');

    server.modes.clear();
    server.modes.set('/bvlc_googlenet.caffemodel', 'missing');
    server.modes.set('/googlenet-12.onnx', 'cut-once');
    const again = await fetchLocal('googlenet');
    expect(again.result.source.format).toBe('onnx');
    expect(server.requests.some((r) => r.url === '/googlenet-12.onnx' && r.headers.range)).toBe(true);
  });

  it('names all three sources when all fail', async () => {
    server.mode = 'missing';
    const { error } = await fetchError('googlenet');
    expect(error.code).toBe('DOWNLOAD_FAILED');
    expect(error.message.split('\n').filter((l) => l.startsWith('  - '))).toHaveLength(3);
    expect(error.message).toMatch(/BVLC GoogLeNet.*\n.*ONNX Model Zoo.*\n.*caffejs/);
  });
});

describe('fetch vgg19', () => {
  it('downloads, checks and converts the Keras file, recording the tensor digest', async () => {
    const { c, result } = await fetchLocal('vgg19');
    expect(result).toMatchObject({ model: 'vgg19', file: modelPath('vgg19', c) });
    expect(result.layers).toHaveLength(16);
    const w = await readSafetensors(result.file);
    expect(w.tensors.size).toBe(32);
    expect(w.metadata).toMatchObject({ source_url: `${server.origin}/vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5`, tensors_sha256: result.tensorsSha256 });
    expect(await readdir(downloadsDir(c))).toEqual([]);
  }, 30_000);

  it('deletes a corrupt download and installs nothing (its only source)', async () => {
    server.modes.set('/vgg19', 'corrupt');
    const { c, error } = await fetchError('vgg19');
    expect(error.code).toBe('CHECKSUM_MISMATCH');
    expect(existsSync(modelPath('vgg19', c))).toBe(false);
    expect(await readdir(downloadsDir(c))).toEqual([]);
  }, 30_000);

  it('resumes a cut download', async () => {
    server.modes.set('/vgg19', 'cut-once');
    const { result } = await fetchLocal('vgg19');
    expect(result.model).toBe('vgg19');
    expect(server.requests.filter((r) => r.headers.range).length).toBe(1);
  }, 30_000);

  it('refuses a file that passes its checksum but is not VGG-19-shaped after conversion', async () => {
    const { c, error } = await fetchError('vgg19', { wrong: ['vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5'] });
    expect(error.code).toBe('CHECKSUM_MISMATCH');
    expect(error.message).toContain("conv1_1.weight has shape [2,3,3,3], backbone 'vgg19' needs [64,3,3,3]");
    expect(existsSync(modelPath('vgg19', c))).toBe(false);
  });
});

describe('fetchModel', () => {
  it('refuses names that are not downloadable', async () => {
    await expect(fetchModel('vgg19-partial', { dir: await freshCache() })).rejects.toMatchObject({ code: 'BAD_ARGUMENT', message: expect.stringContaining('vgg19, squeezenet, googlenet') });
    await expect(fetchModel('https://example.com/x.caffemodel', { dir: await freshCache() })).rejects.toMatchObject({ code: 'BAD_ARGUMENT' });
  });
});
