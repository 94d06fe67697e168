import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelPath } from '../../../../companion/compute/weights/cache.js';
import { detectModel, resolveWeightsFile } from '../../../../companion/compute/weights/resolve.js';

let dir: string;
let n = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'painterly-resolve-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

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
    expect(() => resolveWeightsFile('squeezenet', undefined, c)).toThrow(/models fetch squeezenet/);
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
