// `models import`: every format fetch downloads, plus safetensors, installed from a local path.
import { createHash } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { modelPath } from '../../../../companion/compute/weights/cache.js';
import { importModel } from '../../../../companion/compute/weights/import.js';
import { convertKerasVgg19 } from '../../../../companion/compute/weights/keras-vgg19.js';
import { readSafetensors, writeSafetensors } from '../../../../companion/compute/weights/safetensors.js';
import { MODEL_CATALOG } from '../../../../companion/compute/weights/sources.js';
import { writeKerasVgg19 } from './fixtures.js';
import { caffeLayersFrom, encodeCaffemodel, encodeOnnxGooglenet, KIT, kitTensors, withOneValueChanged, writeCaffejs } from './model-files.js';

let dir: string;
let realH5: string;
let n = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'painterly-import-'));
  realH5 = join(dir, 'vgg19_weights_tf_dim_ordering_tf_kernels_notop.h5');
  await writeKerasVgg19(realH5, { seed: 11, realSize: true });
}, 60_000);
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

const bytesOf = (a: Float32Array) => Buffer.from(a.buffer, a.byteOffset, a.byteLength);

async function freshCache(): Promise<string> {
  const c = join(dir, `cache-${++n}`);
  await mkdir(c, { recursive: true });
  return c;
}

async function expectKitTensors(file: string, model: 'squeezenet' | 'googlenet'): Promise<void> {
  const kit = await kitTensors(model);
  const installed = (await readSafetensors(file)).tensors;
  expect([...installed.keys()]).toEqual([...kit.keys()]);
  for (const [name, t] of kit) expect(bytesOf(installed.get(name)!.data).equals(bytesOf(t.data)), name).toBe(true);
}

describe('importModel', () => {
  it('converts a Keras VGG-19 .h5 and records the layers, the source digests and the tensor digest', async () => {
    const c = await freshCache();
    const result = await importModel(realH5, c);
    expect(result).toMatchObject({ model: 'vgg19', file: modelPath('vgg19', c), format: 'keras-vgg19-h5', official: false });
    expect(result.layers).toHaveLength(16);
    const installed = await readSafetensors(result.file);
    const direct = await convertKerasVgg19(realH5);
    for (const [name, t] of direct.tensors) expect(bytesOf(installed.tensors.get(name)!.data).equals(bytesOf(t.data)), name).toBe(true);
    expect(installed.metadata).toMatchObject({
      model: 'vgg19',
      architecture: 'vgg19',
      source_sha256: createHash('sha256').update(await readFile(realH5)).digest('hex'),
      tensors_sha256: result.tensorsSha256,
      license: expect.stringMatching(/CC BY 4\.0.*CC BY-NC 4\.0/),
    });
  }, 30_000);

  it('imports a VGG-19 .caffemodel (the original Caffe release, V1 format) with the same tensors as the Keras file', async () => {
    const keras = await convertKerasVgg19(realH5);
    const file = join(dir, 'VGG_ILSVRC_19_layers.caffemodel');
    await writeFile(file, encodeCaffemodel(caffeLayersFrom(keras.tensors), 'v1'));
    const result = await importModel(file, await freshCache());
    expect(result).toMatchObject({ model: 'vgg19', format: 'caffemodel' });
    const installed = (await readSafetensors(result.file)).tensors;
    expect([...installed.keys()]).toEqual([...keras.tensors.keys()]);
    for (const [name, t] of keras.tensors) expect(bytesOf(installed.get(name)!.data).equals(bytesOf(t.data)), name).toBe(true);
  }, 30_000);

  it('refuses a Keras file whose layers do not have VGG-19\'s shapes, naming the layer', async () => {
    const tiny = join(dir, 'tiny.h5');
    await writeKerasVgg19(tiny);
    await expect(importModel(tiny, await freshCache())).rejects.toMatchObject({
      code: 'MODEL_LAYERS_MISSING',
      message: expect.stringContaining("conv1_1.weight has shape [2,3,3,3], backbone 'vgg19' needs [64,3,3,3]"),
    });
  });

  it('imports the kit VGG-19 conv1_1…conv3_4 file as vgg19-partial and records its layers', async () => {
    const result = await importModel(join(KIT, 'vgg19-conv1_1-to-conv3_4.safetensors'), await freshCache());
    expect(result.model).toBe('vgg19-partial');
    expect(result.layers).toEqual(['conv1_1', 'conv1_2', 'conv2_1', 'conv2_2', 'conv3_1', 'conv3_2', 'conv3_3', 'conv3_4']);
    expect((await readSafetensors(result.file)).metadata.layers).toBe(result.layers.join(','));
  });

  it.each(['squeezenet', 'googlenet'] as const)('imports the kit %s safetensors unchanged and recognises the official weights', async (model) => {
    const file = join(KIT, model === 'squeezenet' ? 'squeezenet1_1.safetensors' : 'googlenet.safetensors');
    const result = await importModel(file, await freshCache());
    expect(result).toMatchObject({ model, format: 'safetensors', official: true, tensorsSha256: MODEL_CATALOG[model].tensorsSha256 });
    await expectKitTensors(result.file, model);
  });

  it('imports a SqueezeNet .caffemodel, and installs other weights of that network with official: false', async () => {
    const kit = await kitTensors('squeezenet');
    const good = join(dir, 'squeezenet_v1.1.caffemodel');
    await writeFile(good, encodeCaffemodel(caffeLayersFrom(kit), 'current'));
    const c = await freshCache();
    const result = await importModel(good, c);
    expect(result).toMatchObject({ model: 'squeezenet', format: 'caffemodel', official: true });
    await expectKitTensors(result.file, 'squeezenet');

    const tuned = join(dir, 'tuned.caffemodel');
    await writeFile(tuned, encodeCaffemodel(caffeLayersFrom(withOneValueChanged(kit, 'fire9/expand3x3.weight')), 'current'));
    const other = await importModel(tuned, c);
    expect(other).toMatchObject({ model: 'squeezenet', official: false });
    expect((await readSafetensors(other.file)).metadata).toMatchObject({ official: 'false', source_format: 'caffemodel', tensors_sha256: other.tensorsSha256 });
  });

  it('imports googlenet-12.onnx and a caffejs folder', async () => {
    const kit = await kitTensors('googlenet');
    const onnxFile = join(dir, 'googlenet-12.onnx');
    await writeFile(onnxFile, encodeOnnxGooglenet(kit));
    const fromOnnx = await importModel(onnxFile, await freshCache());
    expect(fromOnnx).toMatchObject({ model: 'googlenet', format: 'onnx', official: true });
    await expectKitTensors(fromOnnx.file, 'googlenet');

    const models = join(dir, 'caffejs-models');
    await writeCaffejs(models, 'googlenet', kit);
    const fromFolder = await importModel(join(models, 'bvlc_googlenet'), await freshCache());
    expect(fromFolder).toMatchObject({ model: 'googlenet', format: 'caffejs', official: true });
    await expectKitTensors(fromFolder.file, 'googlenet');
  });

  it('refuses a safetensors file of an unknown network', async () => {
    const file = join(dir, 'other.safetensors');
    await writeSafetensors(file, { 'fc.weight': { shape: [1], data: new Float32Array(1) } });
    await expect(importModel(file, await freshCache())).rejects.toMatchObject({
      code: 'BAD_ARGUMENT',
      message: expect.stringContaining('neither VGG-19, SqueezeNet nor GoogLeNet'),
    });
  });

  it('says which files it accepts when given something else', async () => {
    const file = join(dir, 'deploy.prototxt');
    await writeFile(file, 'name: "SqueezeNet"\n');
    await expect(importModel(file, await freshCache())).rejects.toMatchObject({
      code: 'BAD_ARGUMENT',
      message: expect.stringMatching(/Keras VGG-19 \.h5, a \.caffemodel.*\.onnx.*caffejs.*\.safetensors/),
    });
  });

  it('reports FILE_NOT_FOUND for a missing file', async () => {
    await expect(importModel(join(dir, 'nope.h5'), dir)).rejects.toMatchObject({ code: 'FILE_NOT_FOUND' });
  });
});
