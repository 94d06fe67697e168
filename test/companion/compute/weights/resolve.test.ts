import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { downloadsDir, modelPath } from '../../../../companion/compute/weights/cache.js';
import { convertKerasVgg19 } from '../../../../companion/compute/weights/keras-vgg19.js';
import {
  detectModel,
  fetchModel,
  importModel,
  loadWeights,
  resolveWeightsFile,
} from '../../../../companion/compute/weights/resolve.js';
import { readSafetensors, writeSafetensors } from '../../../../companion/compute/weights/safetensors.js';
import { startServer, writeKerasVgg19 } from './fixtures.js';

const repoRoot = fileURLToPath(new URL('../../../..', import.meta.url));
const SHARED = resolve(repoRoot, '../shared/weights');

let dir: string;
let h5: string;
let n = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'painterly-resolve-'));
  h5 = join(dir, 'vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5');
  await writeKerasVgg19(h5, { seed: 11 });
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Byte-exact comparison of two float arrays (fast, and NaN-safe). */
function bytesOf(a: Float32Array): Buffer {
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength);
}

/** A fresh, empty cache folder. */
async function freshCache(): Promise<string> {
  const c = join(dir, `cache-${++n}`);
  await mkdir(c, { recursive: true });
  return c;
}

describe('resolveWeightsFile', () => {
  it('returns an explicit file that exists', async () => {
    const file = join(dir, 'explicit.safetensors');
    await writeFile(file, 'x');
    expect(resolveWeightsFile('vgg19', file, await freshCache())).toBe(file);
  });

  it('reports FILE_NOT_FOUND for an explicit file that does not exist', async () => {
    expect(() => resolveWeightsFile('vgg19', join(dir, 'missing.safetensors'), dir)).toThrow(
      expect.objectContaining({ code: 'FILE_NOT_FOUND' }),
    );
  });

  it('says how to install VGG-19 when it is not in the cache', async () => {
    const c = await freshCache();
    let err: unknown;
    try {
      resolveWeightsFile('vgg19', undefined, c);
    } catch (e) {
      err = e;
    }
    expect(err).toMatchObject({ code: 'MODEL_MISSING' });
    expect((err as Error).message).toContain('`npx painterly models fetch vgg19`');
    expect((err as Error).message).toContain('`npx painterly models import FILE`');
  });

  it('finds the cached file, and lets a full VGG-19 serve a request for the partial one', async () => {
    const c = await freshCache();
    await writeFile(modelPath('vgg19', c), 'x');
    expect(resolveWeightsFile('vgg19', undefined, c)).toBe(modelPath('vgg19', c));
    expect(resolveWeightsFile('vgg19-partial', undefined, c)).toBe(modelPath('vgg19', c));
    expect(() => resolveWeightsFile('squeezenet', undefined, c)).toThrow(/models import FILE/);
  });

  it('does not let a partial VGG-19 serve a request for the full one', async () => {
    const c = await freshCache();
    await writeFile(modelPath('vgg19-partial', c), 'x');
    expect(resolveWeightsFile('vgg19-partial', undefined, c)).toBe(modelPath('vgg19-partial', c));
    expect(() => resolveWeightsFile('vgg19', undefined, c)).toThrow(expect.objectContaining({ code: 'MODEL_MISSING' }));
  });
});

describe('detectModel', () => {
  it('tells the families apart by a signature tensor', () => {
    expect(detectModel(['conv1.weight', 'fire2/squeeze1x1.weight'])).toBe('squeezenet');
    expect(detectModel(['conv1/7x7_s2.weight', 'inception_3a/1x1.weight'])).toBe('googlenet');
    expect(detectModel(['conv1_1.weight', 'conv1_1.bias'])).toBe('vgg19-partial');
    expect(detectModel(['something.weight'])).toBeUndefined();
  });
});

describe('importModel', () => {
  it('converts a Keras .h5 into vgg19.safetensors with the layers and source digests recorded', async () => {
    const c = await freshCache();
    const result = await importModel(h5, c);
    expect(result).toMatchObject({ model: 'vgg19', file: modelPath('vgg19', c), official: false });
    expect(result.layers).toHaveLength(16);
    const installed = await loadWeights(result.file);
    const direct = await convertKerasVgg19(h5);
    for (const [name, t] of direct.tensors) expect(bytesOf(installed.tensors.get(name)!.data).equals(bytesOf(t.data))).toBe(true);
    expect(installed.metadata).toMatchObject({
      model: 'vgg19',
      architecture: 'vgg19',
      source_sha256: createHash('sha256').update(await readFile(h5)).digest('hex'),
    });
  });

  it('imports the shared VGG-19 conv1_1…conv3_4 file as vgg19-partial and records its layers', async () => {
    const c = await freshCache();
    const result = await importModel(join(SHARED, 'vgg19-conv1_1-to-conv3_4.safetensors'), c);
    expect(result.model).toBe('vgg19-partial');
    expect(result.layers).toEqual(['conv1_1', 'conv1_2', 'conv2_1', 'conv2_2', 'conv3_1', 'conv3_2', 'conv3_3', 'conv3_4']);
    const w = await readSafetensors(result.file);
    expect(w.metadata.layers).toBe(result.layers.join(','));
    expect(w.tensors.get('conv3_4.weight')?.shape).toEqual([256, 256, 3, 3]);
  });

  it('imports SqueezeNet by its tensor names, unchanged', async () => {
    const c = await freshCache();
    const source = join(SHARED, 'squeezenet1_1.safetensors');
    const result = await importModel(source, c);
    expect(result).toMatchObject({ model: 'squeezenet', file: modelPath('squeezenet', c), layers: [] });
    const [a, b] = [await readSafetensors(source), await readSafetensors(result.file)];
    expect([...b.tensors.keys()]).toEqual([...a.tensors.keys()]);
    for (const [name, t] of a.tensors) expect(bytesOf(b.tensors.get(name)!.data).equals(bytesOf(t.data)), name).toBe(true);
  });

  it('refuses a safetensors file of an unknown network', async () => {
    const file = join(dir, 'other.safetensors');
    await writeSafetensors(file, { 'fc.weight': { shape: [1], data: new Float32Array(1) } });
    await expect(importModel(file, await freshCache())).rejects.toMatchObject({
      code: 'BAD_ARGUMENT',
      message: expect.stringContaining('neither VGG-19, SqueezeNet nor GoogLeNet'),
    });
  });

  it('reports FILE_NOT_FOUND for a missing file', async () => {
    await expect(importModel(join(dir, 'nope.h5'), dir)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});

describe('fetchModel against a local server', () => {
  it('downloads, verifies and converts into the cache, keeping no download behind', async () => {
    const body = new Uint8Array(await readFile(h5));
    const sha256 = createHash('sha256').update(body).digest('hex');
    const server = await startServer(body, 'good');
    try {
      const c = await freshCache();
      const result = await fetchModel('vgg19', {
        dir: c,
        source: { urls: [`${server.origin}/vgg.h5`], bytes: body.length, sha256, md5: undefined },
      });
      expect(result).toMatchObject({ model: 'vgg19', file: modelPath('vgg19', c), sha256, bytes: body.length });
      const w = await loadWeights(result.file);
      expect(w.tensors.size).toBe(32);
      expect(w.metadata.source_url).toBe(`${server.origin}/vgg.h5`);
      expect(await readdir(downloadsDir(c))).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('leaves nothing in the cache when the download is corrupt', async () => {
    const body = new Uint8Array(await readFile(h5));
    const sha256 = createHash('sha256').update(body).digest('hex');
    const server = await startServer(body, 'corrupt');
    try {
      const c = await freshCache();
      await expect(
        fetchModel('vgg19', { dir: c, source: { urls: [`${server.origin}/vgg.h5`], bytes: body.length, sha256, md5: undefined } }),
      ).rejects.toMatchObject({ code: 'CHECKSUM_MISMATCH' });
      expect(existsSync(modelPath('vgg19', c))).toBe(false);
      expect(await readdir(downloadsDir(c))).toEqual([]);
      expect(await readdir(c)).toEqual(['downloads']);
    } finally {
      await server.close();
    }
  });

  it('refuses models that have no download source, pointing at import', async () => {
    await expect(fetchModel('squeezenet', { dir: await freshCache() })).rejects.toMatchObject({
      code: 'BAD_ARGUMENT',
      message: expect.stringContaining('models import FILE'),
    });
  });
});
